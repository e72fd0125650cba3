namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>
/// Canned CLI output, written from the documented contract (shared/reference/pulumi-cli-contract.md): the stderr
/// texts of §2, the event-log lines of §3 and the JSON shapes of §4. Values are illustrative.
/// </summary>
public static class Contract
{
    public const string FleetUrn = "urn:pulumi:dev::ailb-inference::gcp:compute/instanceGroupManager:InstanceGroupManager::fleet";

    public const string ConflictStderr =
        "error: [409] Conflict: Another update is currently in progress.\n" +
        "To learn more about possible reasons and resolution, visit https://www.pulumi.com/docs/support/troubleshooting/common-issues/update-conflicts/\n";

    public const string LockedStderr =
        "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n";

    public const string NotFoundStderr = "error: no stack named 'dev' found\n";

    public const string AlreadyExistsStderr = "error: stack 'dev' already exists\n";

    public static string StackOutputJson(int targetSize) => $$"""
        {
          "instanceGroup": "https://www.googleapis.com/compute/v1/projects/my-proj/zones/us-central1-a/instanceGroups/ailb-dev-fleet",
          "lbIpAddress": "34.117.10.20",
          "targetSize": {{targetSize}}
        }

        """;

    public const string HistoryJson = """
        [
          {
            "version": 3,
            "kind": "update",
            "startTime": "2021-01-07T17:02:10.000Z",
            "message": "",
            "environment": { "exec.kind": "auto.local" },
            "config": {
              "aws:region": { "value": "us-east-1", "secret": false },
              "quickstart:test": { "value": "okok", "secret": true }
            },
            "result": "succeeded",
            "endTime": "2021-01-07T17:02:40.000Z",
            "resourceChanges": { "create": 3 }
          }
        ]

        """;

    public static readonly string[] SuccessfulUpEvents =
    [
        """{"sequence":1,"timestamp":1755800000,"preludeEvent":{"config":{"gcp:project":"my-proj","ailb-inference:targetSize":"5"}}}""",
        """{"sequence":2,"timestamp":1755800001,"resourcePreEvent":{"metadata":{"op":"update","urn":"urn:pulumi:dev::ailb-inference::gcp:compute/instanceGroupManager:InstanceGroupManager::fleet","type":"gcp:compute/instanceGroupManager:InstanceGroupManager","old":null,"new":null,"detailedDiff":{"targetSize":{"diffKind":"update","inputDiff":true}},"provider":""}}}""",
        "not json: a stray line the parser must skip",
        "",
        """{"sequence":40,"timestamp":1755800040,"resOutputsEvent":{"metadata":{"op":"update","urn":"urn:pulumi:dev::ailb-inference::gcp:compute/instanceGroupManager:InstanceGroupManager::fleet","type":"gcp:compute/instanceGroupManager:InstanceGroupManager","old":null,"new":null,"detailedDiff":null,"provider":""}}}""",
        """{"sequence":57,"timestamp":1755800042,"summaryEvent":{"maybeCorrupt":false,"durationSeconds":42,"resourceChanges":{"update":1,"same":9},"PolicyPacks":{"gcp-baseline":"1.2.0"},"isPreview":false}}""",
        """{"sequence":58,"timestamp":1755800042,"cancelEvent":{}}""",
    ];

    public static readonly string[] FailedUpEvents =
    [
        """{"sequence":1,"timestamp":1755800000,"preludeEvent":{"config":{"gcp:project":"my-proj"}}}""",
        """{"sequence":30,"timestamp":1755800050,"diagnosticEvent":{"urn":"urn:pulumi:dev::ailb-inference::gcp:compute/instanceGroupManager:InstanceGroupManager::fleet","prefix":"error: ","message":"updating urn:pulumi:dev::ailb-inference::gcp:compute/instanceGroupManager:InstanceGroupManager::fleet: Quota 'NVIDIA_L4_GPUS' exceeded. Limit: 1.0 in region us-central1.\n","color":"never","severity":"error"}}""",
        """{"sequence":31,"timestamp":1755800050,"resOpFailedEvent":{"metadata":{"op":"update","urn":"urn:pulumi:dev::ailb-inference::gcp:compute/instanceGroupManager:InstanceGroupManager::fleet","type":"gcp:compute/instanceGroupManager:InstanceGroupManager","old":null,"new":null,"detailedDiff":null,"provider":""},"status":2,"steps":1}}""",
        """{"sequence":32,"timestamp":1755800051,"summaryEvent":{"maybeCorrupt":false,"durationSeconds":51,"resourceChanges":{"same":9},"PolicyPacks":{},"isPreview":false}}""",
        """{"sequence":33,"timestamp":1755800051,"cancelEvent":{}}""",
    ];
}
