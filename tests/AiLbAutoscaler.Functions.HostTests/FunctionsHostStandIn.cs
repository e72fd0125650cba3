using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using AiLbAutoscaler.Functions.HostTests.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Functions.HostTests;

/// <summary>
/// A stand-in for the Azure Functions host, test-only. It does what the host does for a .NET isolated worker, as
/// documented in shared/reference/azure-functions-facts.md §1 (host 4.1037, worker 2.52, protocol v1.10.0):
/// reads <c>worker.config.json</c>, turns <c>local.settings.json</c> Values into the worker's environment (as Core
/// Tools does), serves the gRPC <c>FunctionRpc.EventStream</c> on 127.0.0.1 (HTTP/2 only), starts
/// <c>dotnet &lt;worker&gt;.dll</c> with the host's command-line switches, and runs start-stream, worker-init,
/// function-metadata and function-load. Invocations: timers get a <c>TimerInfo</c> JSON binding; HTTP triggers are
/// proxied to the worker's own Kestrel (<c>HttpUri</c> capability) with <c>x-ms-invocation-id</c>, while an
/// <c>InvocationRequest</c> with an empty <c>RpcHttp</c> goes over gRPC.
/// What it does not do: function keys (the real host checks them before proxying; this stand-in, like
/// <c>func start</c> without <c>--enableAuth</c>, checks none), extension bundles, schedules, scale, retries.
/// It logs setting names, never their values.
/// </summary>
public sealed class FunctionsHostStandIn : IAsyncDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";
    private const string AppDirectoryPrefix = "functions-standin-app-";
    private static readonly TimeSpan StartStreamTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _grpc;
    private readonly WorkerChannel _channel;
    private readonly Process _worker;
    private readonly WorkerOutput _output;
    private readonly HttpClient _http = new(new RetryOnConnectFailure(new SocketsHttpHandler())) { Timeout = TimeSpan.FromSeconds(90) };

    private readonly string _appDirectory;

    private FunctionsHostStandIn(WebApplication grpc, WorkerChannel channel, Process worker, WorkerOutput output, string routePrefix, string appDirectory)
    {
        _appDirectory = appDirectory;
        _grpc = grpc;
        _channel = channel;
        _worker = worker;
        _output = output;
        RoutePrefix = routePrefix;
    }

    /// <summary>The built worker's folder (the Functions project's output), where worker.config.json lives.</summary>
    public static string WorkerDirectory { get; } =
        typeof(FunctionsHostStandIn).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "WorkerDirectory").Value!;

    public string RoutePrefix { get; }

    /// <summary>What the worker reported at init: its capabilities (HttpUri among them).</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>The functions the worker indexed, by name, as it reported them.</summary>
    public IReadOnlyDictionary<string, RpcFunctionMetadata> Functions { get; private set; } = new Dictionary<string, RpcFunctionMetadata>();

    /// <summary>Everything the worker wrote: stdout, stderr and RpcLog messages, in order.</summary>
    public string Output => _output.Text;

    public IReadOnlyCollection<RpcLog> Logs => _channel.Logs;

    /// <summary>
    /// Starts the worker in <paramref name="appDirectory"/>'s role as the script root: a copy of the worker's folder
    /// with the test's local.settings.json (from <see cref="PrepareAppDirectory"/>; deleted on dispose). Returns once
    /// every function is loaded.
    /// </summary>
    public static async Task<FunctionsHostStandIn> StartAsync(string appDirectory, CancellationToken cancellationToken = default)
    {
        var (worker, output, grpc, channel, routePrefix) = await LaunchAsync(appDirectory, cancellationToken);
        var host = new FunctionsHostStandIn(grpc, channel, worker, output, routePrefix, appDirectory);
        try
        {
            await host.HandshakeAsync(appDirectory, cancellationToken);
            await host.WaitForHttpEndpointAsync(cancellationToken);
            return host;
        }
        catch (Exception e)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"{e.Message}\nWorker output:\n{output.Text}", e);
        }
    }

    /// <summary>Starts a worker that is expected to fail at start-up; returns its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string appDirectory, TimeSpan timeout)
    {
        var (worker, output, grpc, _, _) = await LaunchAsync(appDirectory, CancellationToken.None);
        await using var _ = grpc;
        using var __ = worker;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await worker.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            worker.Kill(entireProcessTree: true);
            throw new TimeoutException($"The worker did not exit within {timeout}.\n{output.Text}");
        }
        finally
        {
            DeleteAppDirectory(appDirectory);
        }

        worker.WaitForExit();
        return (worker.ExitCode, output.Text);
    }

    /// <summary>Makes a script root: the built worker's files plus the given local.settings.json values.</summary>
    public static string PrepareAppDirectory(IReadOnlyDictionary<string, string> values)
    {
        var app = Directory.CreateTempSubdirectory(AppDirectoryPrefix).FullName;
        foreach (var file in Directory.EnumerateFiles(WorkerDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(app, Path.GetRelativePath(WorkerDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var settings = new { IsEncrypted = false, Values = values };
        File.WriteAllText(Path.Combine(app, "local.settings.json"), JsonSerializer.Serialize(settings));
        return app;
    }

    private static async Task<(Process, WorkerOutput, WebApplication, WorkerChannel, string)> LaunchAsync(
        string appDirectory, CancellationToken cancellationToken)
    {
        var config = WorkerConfig.Read(appDirectory);
        var routePrefix = ReadRoutePrefix(appDirectory);
        var output = new WorkerOutput();
        var channel = new WorkerChannel(output);
        var grpc = await StartGrpcServerAsync(channel, cancellationToken);
        var port = new Uri(grpc.Urls.Single()).Port;

        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var uri = new Uri($"http://127.0.0.1:{port}/").AbsoluteUri;
        var start = new ProcessStartInfo(config.Executable)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.GetFullPath(Path.Combine(appDirectory, config.WorkerPath)));
        foreach (var (name, value) in new[]
                 {
                     ("--host", "127.0.0.1"), ("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                     ("--workerId", workerId), ("--requestId", requestId), ("--grpcMaxMessageLength", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                     ("--functions-uri", uri), ("--functions-worker-id", workerId), ("--functions-request-id", requestId),
                     ("--functions-grpc-max-message-length", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                 })
        {
            start.ArgumentList.Add(name);
            start.ArgumentList.Add(value);
        }

        foreach (var (name, value) in LocalSettings.Environment(appDirectory))
        {
            start.Environment[name] = value;
        }

        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var worker = new Process { StartInfo = start, EnableRaisingEvents = true };
        worker.OutputDataReceived += (_, e) => output.Add("stdout", e.Data);
        worker.ErrorDataReceived += (_, e) => output.Add("stderr", e.Data);
        worker.Exited += (_, _) => channel.WorkerExited();
        if (!worker.Start())
        {
            await grpc.DisposeAsync();
            throw new InvalidOperationException($"Could not start {config.Executable}.");
        }

        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        return (worker, output, grpc, channel, routePrefix);
    }

    private static async Task<WebApplication> StartGrpcServerAsync(WorkerChannel channel, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // As the host: loopback, cleartext HTTP/2 only, no message size limit.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken);
        return app;
    }

    private async Task HandshakeAsync(string appDirectory, CancellationToken cancellationToken)
    {
        await _channel.StartStream.Task.WaitAsync(StartStreamTimeout, cancellationToken);

        var init = await _channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = "4.1037.0-standin",
                WorkerDirectory = appDirectory,
                FunctionAppDirectory = appDirectory,
                Capabilities = { ["MultiStream"] = "10" },
            },
        }, m => m.WorkerInitResponse is not null, InitTimeout, cancellationToken);
        EnsureSuccess(init.WorkerInitResponse.Result, "WorkerInitResponse");
        Capabilities = init.WorkerInitResponse.Capabilities.ToDictionary();

        var metadata = await _channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
        }, m => m.FunctionMetadataResponse is not null, ReplyTimeout, cancellationToken);
        EnsureSuccess(metadata.FunctionMetadataResponse.Result, "FunctionMetadataResponse");
        if (metadata.FunctionMetadataResponse.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked for host indexing; the .NET worker with Sdk 2.x indexes itself.");
        }

        var functions = metadata.FunctionMetadataResponse.FunctionMetadataResults.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var function in functions.Values)
        {
            // One load request per function: the .NET worker does not advertise SupportsLoadResponseCollection.
            var load = await _channel.RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
            }, m => m.FunctionLoadResponse?.FunctionId == function.FunctionId, ReplyTimeout, cancellationToken);
            EnsureSuccess(load.FunctionLoadResponse.Result, $"FunctionLoadResponse for {function.Name}");
        }

        Functions = functions;
    }

    /// <summary>
    /// The worker advertises HttpUri at init and starts its Kestrel alongside, so the endpoint may lag the handshake. The
    /// real host rides that out with connect retries (RetryProxyHandler); on a loaded test machine those can run out,
    /// so the stand-in also waits, up to 30 s, until the endpoint accepts a connection before it reports ready.
    /// </summary>
    private async Task WaitForHttpEndpointAsync(CancellationToken cancellationToken)
    {
        if (!Capabilities.TryGetValue("HttpUri", out var advertised))
        {
            return;
        }

        var uri = new Uri(advertised);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(uri.Host, uri.Port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline && !_worker.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Invokes a timer-triggered function as the timer listener would (not past due, no schedule monitor).</summary>
    public async Task<InvocationResult> InvokeTimerAsync(string functionName, CancellationToken cancellationToken = default)
    {
        var function = Functions[functionName];
        var trigger = TriggerBinding(function, "timerTrigger");
        var invocationId = Guid.NewGuid().ToString();
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext(),
            InputData = { new ParameterBinding { Name = trigger, Data = new TypedData { Json = """{"ScheduleStatus":null,"IsPastDue":false}""" } } },
        };
        var response = await _channel.InvokeAsync(request, ReplyTimeout, cancellationToken);
        return new InvocationResult(invocationId, response, _channel.LogsOf(invocationId));
    }

    /// <summary>
    /// An HTTP request as a client sends it to the host at <c>/{routePrefix}/{path}</c>: matched to a function by its
    /// route and method, proxied to the worker's HTTP endpoint with the invocation id, while the invocation goes
    /// over gRPC. The answer is the worker's HTTP response.
    /// </summary>
    public async Task<(HttpResponseMessage Response, InvocationResult Invocation)> SendHttpAsync(
        HttpMethod method, string pathAndQuery, string? body = null, CancellationToken cancellationToken = default)
    {
        var path = pathAndQuery.Split('?', 2)[0].TrimStart('/');
        var (function, routeValues) = MatchRoute(method, path);
        var trigger = TriggerBinding(function, "httpTrigger");
        var invocationId = Guid.NewGuid().ToString();

        var baseUri = new Uri(Capabilities.TryGetValue("HttpUri", out var uri)
            ? uri
            : throw new InvalidOperationException("The worker did not report an HttpUri capability (ASP.NET Core integration is off)."));
        using var proxied = new HttpRequestMessage(method, new Uri(baseUri, pathAndQuery.TrimStart('/')));
        proxied.Headers.Add(InvocationIdHeader, invocationId);
        if (body is not null)
        {
            proxied.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext(),
            // With HttpUri the host sends an empty RpcHttp; the request itself travels over HTTP.
            InputData = { new ParameterBinding { Name = trigger, Data = new TypedData { Http = new RpcHttp() } } },
        };
        foreach (var (name, value) in routeValues)
        {
            request.TriggerMetadata[name] = new TypedData { String = value };
        }

        var forward = _http.SendAsync(proxied, cancellationToken);
        var invocation = _channel.InvokeAsync(request, ReplyTimeout, cancellationToken);
        var response = await forward;
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var reply = await invocation;
        return (response, new InvocationResult(invocationId, reply, _channel.LogsOf(invocationId)));
    }

    private (RpcFunctionMetadata Function, Dictionary<string, string> RouteValues) MatchRoute(HttpMethod method, string path)
    {
        foreach (var function in Functions.Values)
        {
            var binding = function.RawBindings.Select(b => JsonDocument.Parse(b).RootElement)
                .FirstOrDefault(b => b.GetProperty("type").GetString() == "httpTrigger");
            if (binding.ValueKind == JsonValueKind.Undefined)
            {
                continue;
            }

            var route = binding.TryGetProperty("route", out var r) ? r.GetString()! : function.Name;
            var methods = binding.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            var template = "^" + Regex.Replace(Regex.Escape($"{RoutePrefix}/{route}").Replace("\\{", "{"), "{([A-Za-z0-9_]+)}", "(?<$1>[^/]+)") + "$";
            var match = Regex.Match(path, template);
            if (match.Success && (methods.Count == 0 || methods.Contains(method.Method, StringComparer.OrdinalIgnoreCase)))
            {
                var values = match.Groups.Values.Where(g => !int.TryParse(g.Name, out _))
                    .ToDictionary(g => g.Name, g => Uri.UnescapeDataString(g.Value));
                return (function, values);
            }
        }

        throw new InvalidOperationException($"No HTTP function serves {method} /{path}.");
    }

    private static string TriggerBinding(RpcFunctionMetadata function, string type) =>
        function.Bindings.Single(b => b.Value.Type == type && b.Value.Direction == BindingInfo.Types.Direction.In).Key;

    private static void EnsureSuccess(StatusResult result, string what)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{what}: {result.Status}: {result.Exception?.Message}");
        }
    }

    private static string ReadRoutePrefix(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        using var host = JsonDocument.Parse(File.ReadAllText(path));
        return host.RootElement.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString() ?? "api"
            : "api";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_worker.HasExited)
        {
            // As the host on shutdown: WorkerTerminate, a grace period, then the process.
            _channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _worker.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _worker.Kill(entireProcessTree: true);
            }
        }

        _channel.Complete();
        _worker.Dispose();
        _http.Dispose();
        await _grpc.DisposeAsync();
        DeleteAppDirectory(_appDirectory);
    }

    private static void DeleteAppDirectory(string appDirectory)
    {
        // Only script roots this class made.
        if (Path.GetFileName(appDirectory.TrimEnd(Path.DirectorySeparatorChar)).StartsWith(AppDirectoryPrefix, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(appDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>worker.config.json as the SDK writes it (facts §1.1).</summary>
    private sealed record WorkerConfig(string Executable, string WorkerPath)
    {
        public static WorkerConfig Read(string appDirectory)
        {
            var path = Path.Combine(appDirectory, "worker.config.json");
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var description = document.RootElement.GetProperty("description");
            if (description.GetProperty("language").GetString() != "dotnet-isolated")
            {
                throw new InvalidOperationException($"{path}: language is not dotnet-isolated.");
            }

            if (description.GetProperty("workerIndexing").GetString() != "true")
            {
                throw new InvalidOperationException($"{path}: workerIndexing is not \"true\"; this stand-in only does worker indexing.");
            }

            return new WorkerConfig(
                description.GetProperty("defaultExecutablePath").GetString()!,
                description.GetProperty("defaultWorkerPath").GetString()!);
        }
    }
}

/// <summary>
/// Connect failures retried as the host's proxy does (RetryProxyHandler in azure-functions-host: up to 10 retries, the
/// delay doubling from 50 ms to at most 250 ms); anything else, and any HTTP response, passes through.
/// </summary>
internal sealed class RetryOnConnectFailure(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const int MaxRetries = 10;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (attempt < MaxRetries && e.InnerException is System.Net.Sockets.SocketException)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }
    }
}

/// <summary>local.settings.json → environment, as Core Tools does: Values as they are, ConnectionStrings as ConnectionStrings:name.</summary>
internal static class LocalSettings
{
    public static IEnumerable<(string Name, string Value)> Environment(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "local.settings.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var result = new List<(string, string)>();
        if (document.RootElement.TryGetProperty("Values", out var values))
        {
            result.AddRange(values.EnumerateObject().Select(p => (p.Name, p.Value.GetString() ?? "")));
        }

        if (document.RootElement.TryGetProperty("ConnectionStrings", out var connections))
        {
            result.AddRange(connections.EnumerateObject().Select(p => ($"ConnectionStrings:{p.Name}", p.Value.GetString() ?? "")));
        }

        return result;
    }
}

public sealed record InvocationResult(string InvocationId, InvocationResponse Response, IReadOnlyList<RpcLog> Logs)
{
    public bool Succeeded => Response.Result.Status == StatusResult.Types.Status.Success;

    public string Describe() =>
        $"{Response.Result.Status} {Response.Result.Exception?.Message}\n" + string.Join("\n", Logs.Select(l => $"[{l.Level}] {l.Category}: {l.Message}"));
}

/// <summary>The worker's stdout and stderr lines, kept for the tests (which check that nothing secret is among them).</summary>
internal sealed class WorkerOutput
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    public void Add(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _text.Append(stream).Append(": ").AppendLine(line);
        }
    }
}

/// <summary>The one event stream with the worker: outgoing messages in order, replies matched by request id.</summary>
internal sealed class WorkerChannel(WorkerOutput output)
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>();
    private readonly ConcurrentDictionary<string, (Func<StreamingMessage, bool> Match, TaskCompletionSource<StreamingMessage> Reply)> _pending = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new();
    private readonly ConcurrentQueue<RpcLog> _logs = new();

    public TaskCompletionSource<StartStream> StartStream { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<RpcLog> Logs => _logs;

    public IReadOnlyList<RpcLog> LogsOf(string invocationId) => _logs.Where(l => l.InvocationId == invocationId).ToList();

    public void Send(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    public void Complete() => _outbound.Writer.TryComplete();

    public void WorkerExited()
    {
        var exited = new InvalidOperationException("The worker process exited.");
        StartStream.TrySetException(exited);
        foreach (var pending in _pending.Values)
        {
            pending.Reply.TrySetException(exited);
        }

        foreach (var invocation in _invocations.Values)
        {
            invocation.TrySetException(exited);
        }
    }

    public async Task<StreamingMessage> RequestAsync(
        StreamingMessage message, Func<StreamingMessage, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[message.RequestId] = (match, reply);
        Send(message);
        try
        {
            return await reply.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _pending.TryRemove(message.RequestId, out _);
        }
    }

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations[request.InvocationId] = reply;
        Send(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = request });
        try
        {
            return await reply.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _invocations.TryRemove(request.InvocationId, out _);
        }
    }

    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> inbound, IServerStreamWriter<StreamingMessage> outbound, CancellationToken cancellationToken)
    {
        var writer = Task.Run(async () =>
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken))
            {
                await outbound.WriteAsync(message, cancellationToken);
            }
        }, cancellationToken);

        try
        {
            await foreach (var message in inbound.ReadAllAsync(cancellationToken))
            {
                Dispatch(message);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The worker went away mid-stream.
        }

        Complete();
        try
        {
            await writer;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                StartStream.TrySetResult(message.StartStream);
                return;
            case StreamingMessage.ContentOneofCase.RpcLog:
                _logs.Enqueue(message.RpcLog);
                output.Add("rpclog", $"[{message.RpcLog.Level}] {message.RpcLog.Category}: {message.RpcLog.Message} {message.RpcLog.Exception?.Message}");
                return;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryGetValue(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }

                return;
            case StreamingMessage.ContentOneofCase.WorkerStatusRequest:
                Send(new StreamingMessage { RequestId = message.RequestId, WorkerStatusResponse = new WorkerStatusResponse() });
                return;
        }

        if (_pending.TryGetValue(message.RequestId, out var pending) && pending.Match(message))
        {
            pending.Reply.TrySetResult(message);
        }
    }
}

/// <summary>The gRPC service the worker dials: one EventStream per worker.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
