using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using AiLbAutoscaler.Adapters.Pulumi.Cli;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Adapters.Pulumi.Common;

namespace AiLbAutoscaler.Adapters.Pulumi.Deployments;

/// <summary>
/// Applies a size through Pulumi Deployments (Pulumi Cloud REST API, reference §6), for hosts without a pulumi binary:
/// reads the deployed size from the stack's exported state (<c>GET …/export</c>, the root stack resource's outputs),
/// then <c>POST /api/stacks/{org}/{project}/{stack}/deployments</c> with operation <c>update</c> and a pre-run command
/// that sets <c>targetSize</c>, then polls <c>GET …/deployments/{id}</c> to a terminal status.
/// </summary>
public sealed class PulumiDeploymentsFleetActuator(
    IOptions<PulumiActuatorOptions> options,
    IHttpClientFactory httpClients,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<PulumiDeploymentsFleetActuator>? logger = null,
    SecretRedactor? redactor = null) : IFleetActuator
{
    public const string HttpClientName = "AiLbAutoscaler.PulumiDeployments";
    private const string AcceptHeader = "application/vnd.pulumi+8";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly ILogger _logger = logger ?? NullLogger<PulumiDeploymentsFleetActuator>.Instance;

    public async Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken)
    {
        var target = For(stack);
        return await ReadSizeAsync(stack, target, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(desiredSize);
        var target = For(stack);
        var started = time.GetTimestamp();
        try
        {
            var current = await ReadSizeAsync(stack, target, cancellationToken).ConfigureAwait(false);
            if (current == desiredSize)
            {
                return new ActuationResult(ActuationOutcome.NoChange, $"already {desiredSize}", time.GetElapsedTime(started));
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(target.Options.UpdateTimeoutSeconds), time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            (string? Id, string? ConsoleUrl, ActuationResult? Outcome) created;
            try
            {
                created = await CreateDeploymentAsync(target, desiredSize, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The create request itself outlived the deadline: whether Pulumi Cloud started a deployment is unknown,
                // and with no id there is nothing to cancel. Reported as a failure, so the desired size stays pending.
                return new ActuationResult(ActuationOutcome.Failed,
                    $"the deployment request did not finish within {target.Options.UpdateTimeoutSeconds} s; desired size {desiredSize} will be retried",
                    time.GetElapsedTime(started));
            }

            if (created.Outcome is { } early)
            {
                return early with { Duration = time.GetElapsedTime(started) };
            }

            var status = await PollAsync(target, created.Id!, deadline, cancellationToken).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            var where = created.ConsoleUrl is null ? $"deployment {created.Id}" : $"deployment {created.Id} ({created.ConsoleUrl})";
            return status switch
            {
                "succeeded" => new ActuationResult(ActuationOutcome.Applied, $"{current} → {desiredSize} by {where}", elapsed),
                "skipped" => new ActuationResult(ActuationOutcome.Busy, $"{where} was skipped (a newer deployment superseded it); will retry", elapsed),
                null => new ActuationResult(ActuationOutcome.Failed, $"{where} did not finish within {target.Options.UpdateTimeoutSeconds} s and was cancelled; desired size {desiredSize} will be retried", elapsed),
                _ => new ActuationResult(ActuationOutcome.Failed, $"{where} ended with status '{status}'; desired size {desiredSize} will be retried", elapsed),
            };
        }
        catch (DeploymentsApiException ex)
        {
            return new ActuationResult(ActuationOutcome.Failed, ex.Message + $"; desired size {desiredSize} will be retried", time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return new ActuationResult(ActuationOutcome.Failed, $"Pulumi Cloud unreachable: {target.Redactor.Redact(ex.Message)}; desired size {desiredSize} will be retried", time.GetElapsedTime(started));
        }
    }

    /// <summary>The JSON body of the create request.</summary>
    internal static object CreateBody(Target target, int desiredSize) => new
    {
        operation = "update",
        inheritSettings = true,
        operationContext = new
        {
            preRunCommands = new[] { PreRunCommand(target, desiredSize) },
        },
    };

    internal static string PreRunCommand(Target target, int desiredSize)
    {
        var d = target.Options.Deployments;
        var key = target.Options.ConfigKey;
        return $"pulumi config set {key} --plaintext --stack {d.Organization}/{d.Project}/{d.Stack} -- {desiredSize.ToString(CultureInfo.InvariantCulture)}";
    }

    private async Task<int> ReadSizeAsync(string stack, Target target, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(target, HttpMethod.Get, "export", null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(target, response, "export the stack state", cancellationToken).ConfigureAwait(false);
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        JsonElement? value = null;
        if (doc.RootElement.TryGetProperty("deployment", out var dep) && dep.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in resources.EnumerateArray())
            {
                if (r.TryGetProperty("type", out var t) && t.GetString() == "pulumi:pulumi:Stack"
                    && r.TryGetProperty("outputs", out var outs) && outs.ValueKind == JsonValueKind.Object
                    && outs.TryGetProperty(target.Options.SizeOutput, out var v))
                {
                    value = v.Clone();
                }
            }
        }

        return PulumiStacks.ParseSize(stack, target.Options.SizeOutput, value);
    }

    private async Task<(string? Id, string? ConsoleUrl, ActuationResult? Outcome)> CreateDeploymentAsync(Target target, int desiredSize, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(target, HttpMethod.Post, "deployments", CreateBody(target, desiredSize), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var detail = await ErrorTextAsync(target, response, cancellationToken).ConfigureAwait(false);
            return (null, null, new ActuationResult(ActuationOutcome.Busy, $"Pulumi Deployments refused a new update (409 Conflict: {detail}); will retry"));
        }

        await EnsureSuccessAsync(target, response, "create a deployment", cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<CreateDeploymentResponse>(Json, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(body?.Id))
        {
            throw new DeploymentsApiException("Pulumi Deployments answered the create request without a deployment id.");
        }

        _logger.LogInformation("Started Pulumi deployment {Id} for {Org}/{Project}/{Stack}", body.Id, target.Options.Deployments.Organization, target.Options.Deployments.Project, target.Options.Deployments.Stack);
        return (body.Id, body.ConsoleUrl, null);
    }

    /// <summary>Polls until a terminal status; null when the deadline passed (the deployment is then cancelled).</summary>
    private async Task<string?> PollAsync(Target target, string id, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(target.Options.Deployments.PollIntervalSeconds);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (true)
            {
                using var response = await SendAsync(target, HttpMethod.Get, $"deployments/{Uri.EscapeDataString(id)}", null, linked.Token).ConfigureAwait(false);
                await EnsureSuccessAsync(target, response, $"read deployment {id}", linked.Token).ConfigureAwait(false);
                var status = (await response.Content.ReadFromJsonAsync<DeploymentStatus>(Json, linked.Token).ConfigureAwait(false))?.Status;
                if (status is "succeeded" or "failed" or "skipped")
                {
                    return status;
                }

                await Task.Delay(interval, time, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await TryCancelAsync(target, id).ConfigureAwait(false);
            return null;
        }
    }

    private async Task TryCancelAsync(Target target, string id)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);
            using var response = await SendAsync(target, HttpMethod.Post, $"deployments/{Uri.EscapeDataString(id)}/cancel", null, cts.Token).ConfigureAwait(false);
            _logger.LogInformation("Cancel of deployment {Id} answered {Status}", id, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            _logger.LogWarning("Cancel of deployment {Id} failed: {Message}", id, target.Redactor.Redact(ex.Message));
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Target target, HttpMethod method, string relative, object? body, CancellationToken cancellationToken)
    {
        var d = target.Options.Deployments;
        var uri = new Uri($"{d.ApiBaseUrl!.TrimEnd('/')}/api/stacks/{Uri.EscapeDataString(d.Organization!)}/{Uri.EscapeDataString(d.Project!)}/{Uri.EscapeDataString(d.Stack!)}/{relative}");
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("token", target.Token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(AcceptHeader));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        var client = httpClients.CreateClient(HttpClientName);
        return await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task EnsureSuccessAsync(Target target, HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await ErrorTextAsync(target, response, cancellationToken).ConfigureAwait(false);
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $" (the token in setting '{target.Options.Deployments.TokenSetting}' is missing, invalid or revoked)",
            HttpStatusCode.Forbidden => " (the token may not run deployments on this stack)",
            HttpStatusCode.NotFound => " (no such stack: Deployments needs an existing stack)",
            _ => "",
        };
        throw new DeploymentsApiException($"Pulumi Deployments could not {what}: {(int)response.StatusCode} {response.ReasonPhrase}{hint}: {detail}");
    }

    /// <summary>The Pulumi Cloud error body's <c>message</c> (<c>{"code":…,"message":…}</c>), else a short excerpt; redacted.</summary>
    private static async Task<string> ErrorTextAsync(Target target, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
            {
                text = m.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        text = target.Redactor.Redact(text.Trim());
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    private Target For(string stack)
    {
        if (!options.Value.Stacks.TryGetValue(stack, out var section) || section.Pulumi is not { Backend: PulumiBackend.Deployments } p)
        {
            throw new InvalidOperationException($"Stack '{stack}' has no Autoscaler:Stacks:{stack}:Pulumi section with Backend=Deployments.");
        }

        var token = PulumiStacks.ResolveToken(configuration, p.Deployments.TokenSetting)
            ?? throw new InvalidOperationException($"Autoscaler:Stacks:{stack}:Pulumi:Deployments:TokenSetting names '{p.Deployments.TokenSetting}', which is not set.");
        return new Target(p, token, (redactor ?? SecretRedactor.ShapesOnly).With([token]));
    }

    internal sealed record Target(PulumiStackOptions Options, string Token, SecretRedactor Redactor);

    private sealed record CreateDeploymentResponse(string? Id, string? ConsoleUrl);

    private sealed record DeploymentStatus(string? Id, string? Status, int? Version);

    private sealed class DeploymentsApiException(string message) : Exception(message);
}
