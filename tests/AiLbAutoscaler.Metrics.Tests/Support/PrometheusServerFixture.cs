using System.Diagnostics;
using System.Text;

namespace AiLbAutoscaler.Metrics.Tests.Support;

/// <summary>
/// A real Prometheus server (the Debian package's /usr/bin/prometheus) on a free 127.0.0.1 port, with its own temporary
/// storage holding a block made by <c>promtool tsdb create-blocks-from openmetrics</c> from samples written here, up to
/// 15 s before <see cref="Now"/>. Prometheus starts with an empty head, so a block that recent loads and is queried as is.
/// Started once per test class and killed afterwards. Subclasses serve other samples by overriding <see cref="Samples"/>. Missing binaries fail the tests: run tests/setup.sh.
/// </summary>
public class PrometheusServerFixture : IAsyncLifetime
{
    private Process? _process;
    private readonly StringBuilder _output = new();

    /// <summary>The instant the data is anchored to; queries evaluate here.</summary>
    public DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    public string Url { get; private set; } = "";

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("ailb-prometheus-").FullName;

    public async Task InitializeAsync()
    {
        var prometheus = Find("prometheus");
        var promtool = Find("promtool");
        var data = Path.Combine(Directory, "data");
        var openMetrics = Path.Combine(Directory, "samples.om.txt");
        await File.WriteAllTextAsync(openMetrics, Samples());

        var (code, output) = await RunAsync(promtool, ["tsdb", "create-blocks-from", "openmetrics", openMetrics, data]);
        if (code != 0)
        {
            throw new InvalidOperationException($"promtool tsdb create-blocks-from openmetrics failed ({code}): {output}");
        }

        var config = Path.Combine(Directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 1h\n");
        // A port may be taken by another process between the pick and the bind: then start again on another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartServerAsync(prometheus, config, data);
                return;
            }
            catch (InvalidOperationException) when (attempt < 4 && AiLbAutoscaler.Tests.Shared.LoopbackPorts.IsBindFailure(Output()))
            {
                _process?.Dispose();
                _process = null;
                ClearOutput();
            }
        }
    }

    private async Task StartServerAsync(string prometheus, string config, string data)
    {
        var port = TestPorts.Free();
        Url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(prometheus)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}",
                     "--storage.tsdb.retention.time=30d",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {prometheus}");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}: {Output()}");
            }

            try
            {
                if ((await http.GetAsync($"{Url}/-/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"prometheus did not become ready within 30 s: {Output()}");
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// Per 15 s for 20 minutes up to Now − 15 s: queue gauges a = 3 and b = 5; a request counter growing by 10 per sample
    /// (0.667/s); a DCGM GPU gauge at 70 %; and a gauge whose last sample is 10 minutes old (stale at Now).
    /// </summary>
    protected virtual string Samples()
    {
        var end = Now.ToUnixTimeSeconds() - 15;
        var times = Enumerable.Range(0, 80).Select(i => end - ((79 - i) * 15L)).ToList();
        var text = new StringBuilder();
        void Family(string name, string type, Func<long, int, string> lines)
        {
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            for (var i = 0; i < times.Count; i++)
            {
                text.Append(lines(times[i], i));
            }
        }

        Family("vllm_num_requests_waiting", "gauge", (t, _) => $"vllm_num_requests_waiting{{instance=\"a\"}} 3 {t}\nvllm_num_requests_waiting{{instance=\"b\"}} 5 {t}\n");
        Family("http_requests", "counter", (t, i) => $"http_requests_total{{code=\"200\"}} {(i + 1) * 10} {t}\n");
        Family("DCGM_FI_DEV_GPU_UTIL", "gauge", (t, _) => $"DCGM_FI_DEV_GPU_UTIL{{gpu=\"0\"}} 70 {t}\n");
        Family("stale_gauge", "gauge", (t, _) => t <= end - 585 ? $"stale_gauge 1 {t}\n" : "");
        text.Append("# EOF\n");
        return text.ToString();
    }

    internal static string Find(string tool)
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Select(dir => Path.Combine(dir, tool));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"'{tool}' was not found on PATH or in /usr/bin. The PromQL tests need a real Prometheus: run tests/setup.sh (installs the Debian package 'prometheus').");
    }

    internal static async Task<(int Code, string Output)> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private void ClearOutput()
    {
        lock (_output)
        {
            _output.Clear();
        }
    }

    private string Output()
    {
        lock (_output)
        {
            var text = _output.ToString();
            return text.Length <= 2000 ? text : text[^2000..];
        }
    }
}
