namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>
/// The resource types the program may use and their property names, encoded from
/// shared/reference/pulumi-cli-contract.md §5.5 (pulumi-gcp v9.35.0). Types marked "provider docs" are not in the
/// reference; their names come from the public pulumi-gcp API docs (compute/firewall, globaladdress,
/// managedsslcertificate, targethttpsproxy) and the Pulumi YAML docs (StackReference).
/// </summary>
public static class ProgramSchema
{
    public sealed record ResourceSchema(string Canonical, string[] Inputs, string[] Required, string[] Outputs);

    private static readonly string[] Common = ["project", "deletionPolicy"];

    public static readonly IReadOnlyDictionary<string, ResourceSchema> Types = new Dictionary<string, ResourceSchema>(StringComparer.Ordinal)
    {
        ["gcp:compute:InstanceTemplate"] = new(
            "gcp:compute/instanceTemplate:InstanceTemplate",
            ["machineType", "disks", "name", "namePrefix", "description", "region", "networkInterfaces", "metadata", "metadataStartupScript",
             "tags", "labels", "serviceAccount", "scheduling", "canIpForward", "guestAccelerators", "shieldedInstanceConfig",
             "confidentialInstanceConfig", "minCpuPlatform", "resourcePolicies", "reservationAffinity", "advancedMachineFeatures",
             "instanceDescription", "keyRevocationActionType", "resourceManagerTags", "partnerMetadata", "enableDisplay",
             "networkPerformanceConfig", "workloadIdentityConfig", .. Common],
            ["machineType", "disks"],
            ["selfLink", "selfLinkUnique", "id", "numericId", "creationTimestamp", "metadataFingerprint", "tagsFingerprint", "effectiveLabels", "pulumiLabels"]),
        ["gcp:compute:InstanceGroupManager"] = new(
            "gcp:compute/instanceGroupManager:InstanceGroupManager",
            ["baseInstanceName", "versions", "zone", "name", "description", "targetSize", "namedPorts", "autoHealingPolicies", "updatePolicy",
             "targetPools", "waitForInstances", "waitForInstancesStatus", "statefulDisks", "statefulInternalIps", "statefulExternalIps",
             "allInstancesConfig", "instanceLifecyclePolicy", "standbyPolicy", "targetStoppedSize", "targetSuspendedSize",
             "listManagedInstancesResults", "params", "resourcePolicies", "targetSizePolicies", .. Common],
            ["baseInstanceName", "versions"],
            ["instanceGroup", "selfLink", "id", "fingerprint", "instanceGroupManagerId", "operation", "statuses", "creationTimestamp"]),
        ["gcp:compute:HealthCheck"] = new(
            "gcp:compute/healthCheck:HealthCheck",
            ["name", "description", "checkIntervalSec", "timeoutSec", "healthyThreshold", "unhealthyThreshold", "httpHealthCheck", "httpsHealthCheck",
             "http2HealthCheck", "tcpHealthCheck", "sslHealthCheck", "grpcHealthCheck", "grpcTlsHealthCheck", "logConfig", "sourceRegions", .. Common],
            [],
            ["selfLink", "id", "type", "creationTimestamp"]),
        ["gcp:compute:BackendService"] = new(
            "gcp:compute/backendService:BackendService",
            ["name", "description", "backends", "healthChecks", "protocol", "portName", "loadBalancingScheme", "timeoutSec",
             "connectionDrainingTimeoutSec", "sessionAffinity", "affinityCookieTtlSec", "enableCdn", "cdnPolicy", "iap", "logConfig",
             "securityPolicy", "localityLbPolicy", "circuitBreakers", "outlierDetection", "consistentHash", "customRequestHeaders",
             "customResponseHeaders", "compressionMode", "edgeSecurityPolicy", "ipAddressSelectionPolicy", "maxStreamDuration", "tlsSettings", .. Common],
            [],
            ["selfLink", "id", "fingerprint", "generatedId", "creationTimestamp"]),
        ["gcp:compute:URLMap"] = new(
            "gcp:compute/uRLMap:URLMap",
            ["name", "description", "defaultService", "hostRules", "pathMatchers", "defaultUrlRedirect", "defaultRouteAction", "headerAction",
             "tests", "defaultCustomErrorResponsePolicy", .. Common],
            [],
            ["selfLink", "id", "mapId", "fingerprint", "creationTimestamp"]),
        ["gcp:compute:TargetHttpProxy"] = new(
            "gcp:compute/targetHttpProxy:TargetHttpProxy",
            ["urlMap", "name", "description", "proxyBind", "httpKeepAliveTimeoutSec", .. Common],
            ["urlMap"],
            ["selfLink", "id", "proxyId", "fingerprint", "creationTimestamp"]),
        ["gcp:compute:GlobalForwardingRule"] = new(
            "gcp:compute/globalForwardingRule:GlobalForwardingRule",
            ["target", "name", "description", "portRange", "ipAddress", "ipProtocol", "ipVersion", "loadBalancingScheme", "labels", "network",
             "subnetwork", "networkTier", "metadataFilters", "sourceIpRanges", "allowPscGlobalAccess", "noAutomateDnsZone",
             "serviceDirectoryRegistrations", .. Common],
            ["target"],
            ["ipAddress", "selfLink", "id", "forwardingRuleId", "labelFingerprint", "baseForwardingRule", "pscConnectionId", "pscConnectionStatus",
             "effectiveLabels", "pulumiLabels"]),

        // provider docs (not in the reference)
        ["gcp:compute:Firewall"] = new(
            "gcp:compute/firewall:Firewall",
            ["network", "allows", "denies", "description", "destinationRanges", "direction", "disabled", "logConfig", "name", "priority",
             "sourceRanges", "sourceServiceAccounts", "sourceTags", "targetServiceAccounts", "targetTags", "params", .. Common],
            ["network"],
            ["selfLink", "id", "creationTimestamp"]),
        ["gcp:compute:GlobalAddress"] = new(
            "gcp:compute/globalAddress:GlobalAddress",
            ["name", "description", "address", "addressType", "ipVersion", "labels", "network", "prefixLength", "purpose", .. Common],
            [],
            ["address", "selfLink", "id", "creationTimestamp", "labelFingerprint", "effectiveLabels", "pulumiLabels"]),
        ["gcp:compute:ManagedSslCertificate"] = new(
            "gcp:compute/managedSslCertificate:ManagedSslCertificate",
            ["name", "description", "managed", "type", "certificateId", .. Common],
            [],
            ["id", "selfLink", "certificateId", "subjectAlternativeNames", "expireTime", "creationTimestamp"]),
        ["gcp:compute:TargetHttpsProxy"] = new(
            "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
            ["urlMap", "sslCertificates", "certificateMap", "certificateManagerCertificates", "sslPolicy", "quicOverride", "name", "description",
             "proxyBind", "httpKeepAliveTimeoutSec", "serverTlsPolicy", "tlsEarlyData", .. Common],
            ["urlMap"],
            ["id", "selfLink", "proxyId", "fingerprint", "creationTimestamp"]),
        ["pulumi:pulumi:StackReference"] = new("pulumi:pulumi:StackReference", ["name"], ["name"], ["outputs", "secretOutputNames"]),
    };

    /// <summary>Allowed keys of nested objects, by "Type.property" (list items or the object itself).</summary>
    public static readonly IReadOnlyDictionary<string, (string[] Keys, string[] Required)> Nested = new Dictionary<string, (string[], string[])>(StringComparer.Ordinal)
    {
        ["gcp:compute:InstanceTemplate.disks"] = (["sourceImage", "boot", "autoDelete", "diskSizeGb", "diskType", "type", "mode", "interface", "deviceName",
            "diskName", "labels", "source", "sourceSnapshot", "resourcePolicies", "provisionedIops", "provisionedThroughput"], []),
        ["gcp:compute:InstanceTemplate.networkInterfaces"] = (["network", "subnetwork", "subnetworkProject", "networkIp", "accessConfigs", "aliasIpRanges",
            "nicType", "stackType", "queueCount"], []),
        ["gcp:compute:InstanceTemplate.serviceAccount"] = (["email", "scopes"], ["scopes"]),
        // provider docs: guest accelerator {type, count}; scheduling fields used here.
        ["gcp:compute:InstanceTemplate.guestAccelerators"] = (["type", "count"], ["type", "count"]),
        ["gcp:compute:InstanceTemplate.scheduling"] = (["onHostMaintenance", "automaticRestart", "preemptible", "provisioningModel", "instanceTerminationAction"], []),
        ["gcp:compute:InstanceGroupManager.versions"] = (["instanceTemplate", "name", "targetSize"], ["instanceTemplate"]),
        ["gcp:compute:InstanceGroupManager.namedPorts"] = (["name", "port"], ["name", "port"]),
        ["gcp:compute:InstanceGroupManager.autoHealingPolicies"] = (["healthCheck", "initialDelaySec"], ["healthCheck", "initialDelaySec"]),
        ["gcp:compute:InstanceGroupManager.updatePolicy"] = (["type", "minimalAction", "mostDisruptiveAllowedAction", "maxSurgeFixed", "maxSurgePercent",
            "maxUnavailableFixed", "maxUnavailablePercent", "minReadySec", "replacementMethod"], ["type", "minimalAction"]),
        ["gcp:compute:HealthCheck.httpHealthCheck"] = (["port", "portName", "portSpecification", "host", "requestPath", "response", "proxyHeader"], []),
        ["gcp:compute:BackendService.backends"] = (["group", "balancingMode", "capacityScaler", "maxUtilization", "maxRatePerInstance", "maxRate",
            "maxRatePerEndpoint", "maxConnections", "maxConnectionsPerInstance", "maxConnectionsPerEndpoint", "description", "preference"], ["group"]),
        ["gcp:compute:Firewall.allows"] = (["protocol", "ports"], ["protocol"]),
        ["gcp:compute:ManagedSslCertificate.managed"] = (["domains"], ["domains"]),
    };

    public static readonly string[] ResourceKeys = ["type", "name", "defaultProvider", "properties", "options", "get"];

    public static readonly string[] OptionKeys =
    [
        "additionalSecretOutputs", "aliases", "customTimeouts", "deleteBeforeReplace", "dependsOn", "ignoreChanges", "import", "parent", "protect",
        "provider", "providers", "version", "pluginDownloadURL", "replaceOnChanges", "retainOnDelete", "deletedWith", "replaceWith", "hideDiffs",
        "replacementTrigger", "envVarMappings",
    ];

    public static readonly string[] ConfigTypes = ["string", "boolean", "integer", "array", "object"];
}
