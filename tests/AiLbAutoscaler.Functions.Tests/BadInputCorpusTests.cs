using System.Text;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Functions.Functions;
using Microsoft.AspNetCore.Mvc;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// The adversarial corpus of issue 9 as a test: malformed and deep JSON, huge and non-integer numbers, NaN and
/// Infinity, duplicate keys, invalid UTF-8 and lone surrogates, control characters, traversal and unicode stack names,
/// boundary body sizes, bad and reversed dates, over the four routes. Each case must answer its 4xx status with a
/// problem+json that names the field, and leave state, audit trail and fleet as they were.
/// </summary>
[Trait("Area", "Functions")]
public sealed class BadInputCorpusTests
{
    private const string Stack = "inference";
    private const int MaxBody = 16 * 1024;

    public sealed record Case(string Name, string Route, string Stack, byte[]? Body, string Query, int Status, string Field)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<object[]> Corpus() => Cases().Select(c => new object[] { c });

    [Fact]
    public void The_corpus_has_at_least_150_cases_over_the_four_routes()
    {
        var cases = Cases().ToList();
        Assert.True(cases.Count >= 150, $"{cases.Count} cases");
        Assert.Equal(["evaluate", "history", "rescale", "status"], cases.Select(c => c.Route).Distinct().Order());
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_bad_input_is_a_problem_naming_the_field_and_changes_nothing(Case bad)
    {
        await using var app = await TestApp.StartAsync();
        app.Actuator.SetSize(Stack, 3);
        var request = bad.Body is null ? TestApp.Get(bad.Query) : TestApp.Request("POST", bad.Body, bad.Query, declareLength: true);
        if (bad.Body is not null)
        {
            request.Method = "POST";
        }

        IActionResult result = bad.Route switch
        {
            "rescale" => await app.Get<ScalingFunctions>().RescaleAsync(request, bad.Stack, default),
            "evaluate" => await app.Get<ScalingFunctions>().EvaluateAsync(request, bad.Stack, default),
            "status" => await app.Get<StackQueryFunctions>().StatusAsync(request, bad.Stack, default),
            _ => await app.Get<StackQueryFunctions>().HistoryAsync(request, bad.Stack, default),
        };
        var response = await TestApp.ExecuteAsync(result, request);

        Assert.Equal(bad.Status, response.Status);
        Assert.True(response.IsProblem, response.ContentType);
        var named = response.Body.TryGetProperty("field", out var field) ? field.GetString() : null;
        Assert.True(named == bad.Field || response.ErrorsFor(bad.Field).Length > 0, $"field {bad.Field} not named in {response.Text}");
        Assert.DoesNotContain(response.Text, c => char.IsControl(c));
        Assert.Empty(app.Actuator.Applied);
        Assert.Equal(3, await app.Actuator.GetCurrentSizeAsync(Stack, default));
        Assert.Null((await app.Get<IStackStateStore>().LoadAsync(Stack, default)).Version);
        Assert.Empty(await app.Get<IAuditLog>().QueryAsync(Stack, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        Assert.DoesNotContain(app.Log.Entries, e => e.Message.Any(char.IsControl));
    }

    private static IEnumerable<Case> Cases()
    {
        var n = 0;
        Case Rescale(string name, byte[] body, int status, string field) => new($"{++n:000} rescale: {name}", "rescale", Stack, body, "", status, field);
        Case RescaleJson(string name, string json, int status, string field) => Rescale(name, Encoding.UTF8.GetBytes(json), status, field);
        Case Bad(string name, string json, string field) => RescaleJson(name, json, 400, field);
        Case Body(string name, string json) => RescaleJson(name, json, 400, "body");

        // Malformed JSON.
        foreach (var (name, json) in new[]
                 {
                     ("open brace", "{"), ("close brace", "}"), ("garbage", "{oops"), ("trailing comma", """{"targetSize": 4,}"""),
                     ("form encoding", "targetSize=4"), ("empty", ""), ("blank", "   \r\n\t"), ("open bracket", "["), ("bare word", "nul"),
                     ("single quotes", "{'targetSize': 3, 'reason': 'x'}"), ("leading zero", """{"targetSize": 03, "reason": "x"}"""),
                     ("plus sign", """{"targetSize": +3, "reason": "x"}"""), ("bare fraction", """{"targetSize": .5, "reason": "x"}"""),
                     ("dangling point", """{"targetSize": 3., "reason": "x"}"""), ("hex", """{"targetSize": 0x10, "reason": "x"}"""),
                     ("comment", """/* c */ {"targetSize": 3, "reason": "x"}"""), ("trailing garbage", """{"targetSize": 3, "reason": "x"} x"""),
                     ("two objects", """{"targetSize": 3, "reason": "x"}{}"""), ("unquoted name", """{targetSize: 3, "reason": "x"}"""),
                     ("unterminated string", """{"targetSize": 3, "reason": "x}"""), ("bad escape", """{"targetSize": 3, "reason": "\q"}"""),
                     ("raw newline in string", "{\"targetSize\": 3, \"reason\": \"a\nb\"}"), ("missing colon", """{"targetSize" 3, "reason": "x"}"""),
                     ("NaN literal", """{"targetSize": NaN, "reason": "x"}"""), ("Infinity literal", """{"targetSize": Infinity, "reason": "x"}"""),
                     ("minus Infinity", """{"targetSize": -Infinity, "reason": "x"}"""), ("NaN hold", """{"targetSize": 3, "reason": "x", "holdMinutes": NaN}"""),
                     ("deep array", new string('[', 17) + new string(']', 17)),
                     ("deep value", """{"targetSize": """ + new string('[', 20) + new string(']', 20) + """, "reason": "x"}"""),
                     ("deep object", string.Concat(Enumerable.Repeat("""{"a":""", 18)) + "1" + new string('}', 18)),
                 })
        {
            yield return Body(name, json);
        }

        // Not an object.
        foreach (var (name, json) in new[] { ("array", "[3]"), ("number", "42"), ("string", "\"x\""), ("null", "null"), ("true", "true") })
        {
            yield return Bad("root " + name, json, "$");
        }

        // targetSize: huge, negative, non-integer, wrong type, out of bounds.
        foreach (var number in new[]
                 {
                     "1e12", "1e400", "-1e400", "99999999999999999999", "2147483648", "4294967297", "1E+2147483648", "1e99999999999",
                     "-1", "-0.5", "-2147483649", "2.5", "0.1", "1e-1", "3.5e0", "3.0000000000000001", "2.9999999999999999",
                     "3.00000000000000000000000000000001", "1e-400", "10.000000000000000001", "0", "11", "1000", "7e1",
                 })
        {
            yield return Bad("targetSize " + number, $$"""{"targetSize": {{number}}, "reason": "x"}""", "targetSize");
        }

        foreach (var value in new[] { "\"3\"", "\"NaN\"", "\"Infinity\"", "true", "false", "[3]", "{\"n\": 3}", "null" })
        {
            yield return Bad("targetSize as " + value, $$"""{"targetSize": {{value}}, "reason": "x"}""", "targetSize");
        }

        yield return Bad("targetSize missing", """{"reason": "x"}""", "targetSize");

        // reason: type, blank, length, lone surrogates, control characters.
        foreach (var value in new[] { "12", "true", "[\"x\"]", "{\"x\": 1}", "null", "\"\"", "\"   \"", "\"\\t\"" })
        {
            yield return Bad("reason as " + value, $$"""{"targetSize": 3, "reason": {{value}}}""", "reason");
        }

        yield return Bad("reason missing", """{"targetSize": 3}""", "reason");
        yield return Bad("reason 501 characters", $$"""{"targetSize": 3, "reason": "{{new string('r', 501)}}"}""", "reason");
        foreach (var escape in new[] { "\\ud800", "\\udfff", "x\\ud800y", "\\udc00\\ud800", "\\ud83d" })
        {
            yield return Bad("reason lone surrogate " + escape, $$"""{"targetSize": 3, "reason": "{{escape}}"}""", "reason");
        }

        foreach (var control in new[] { 0x00, 0x01, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9B, 0x9F })
        {
            yield return Bad($"reason control U+{control:X4}", $$"""{"targetSize": 3, "reason": "ok\u{{control:x4}}[Error] forged"}""", "reason");
        }

        yield return Bad("reason forged log line", """{"targetSize": 3, "reason": "x\n2026-12-02 [Error] Rescale of stack batch failed"}""", "reason");
        yield return Bad("reason terminal escape", """{"targetSize": 3, "reason": "\u001b]0;owned\u0007"}""", "reason");

        // Field names: unknown, case, duplicates, lone surrogates.
        yield return Bad("unknown field", """{"targetSize": 3, "reason": "x", "size": 4}""", "size");
        yield return Bad("field case", """{"TargetSize": 3, "reason": "x"}""", "TargetSize");
        yield return Bad("empty field name", """{"targetSize": 3, "reason": "x", "": 1}""", "");
        yield return Bad("duplicate targetSize", """{"targetSize": 3, "targetSize": 4, "reason": "x"}""", "targetSize");
        yield return Bad("duplicate reason", """{"targetSize": 3, "reason": "x", "reason": "y"}""", "reason");
        yield return Bad("duplicate holdMinutes", """{"targetSize": 3, "reason": "x", "holdMinutes": 1, "holdMinutes": 2}""", "holdMinutes");
        yield return Bad("field name lone surrogate", """{"targetSize": 3, "reason": "x", "a\udc00": 1}""", "$");
        yield return Bad("field name lone high surrogate", """{"\ud800": 1, "targetSize": 3, "reason": "x"}""", "$");

        // holdMinutes.
        foreach (var value in new[] { "-5", "-0.001", "\"30\"", "true", "[30]", "{\"m\": 1}", "1e400", "1e300", "10081", "99999999" })
        {
            yield return Bad("holdMinutes " + value, $$"""{"targetSize": 3, "reason": "x", "holdMinutes": {{value}}}""", "holdMinutes");
        }

        // Invalid UTF-8 anywhere in the body.
        foreach (var (name, bytes) in new (string, byte[])[]
                 {
                     ("FF FE", [0xFF, 0xFE]), ("lone continuation", [0x80]), ("overlong NUL", [0xC0, 0x80]), ("overlong slash", [0xE0, 0x80, 0xAF]),
                     ("encoded surrogate", [0xED, 0xA0, 0x80]), ("truncated euro", [0xE2, 0x82]), ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
                     ("F8 lead", [0xF8, 0x88, 0x80, 0x80, 0x80]),
                 })
        {
            yield return Rescale("invalid UTF-8 " + name, [.. "{\"targetSize\": 3, \"reason\": \"x"u8, .. bytes, .. "\"}"u8], 400, "body");
        }

        yield return Rescale("invalid UTF-8 in a name", [.. "{\"a"u8, 0xFF, .. "\": 1, \"targetSize\": 3, \"reason\": \"x\"}"u8], 400, "body");
        yield return Rescale("UTF-16 body", Encoding.Unicode.GetBytes("""{"targetSize": 3, "reason": "x"}"""), 400, "body");

        // Body sizes at the boundary.
        yield return Rescale("body one byte over the limit", Padded(MaxBody + 1), 413, "body");
        yield return Rescale("body far over the limit", Padded(4 * MaxBody), 413, "body");
        yield return Rescale("reason at the byte limit but too long", Padded(MaxBody), 400, "reason");

        // Stack names on every route.
        string[] stacks =
        [
            "../batch", "..%2Fbatch", "inference/../batch", "..\\inference", "nope", "ınference", "ｉｎｆｅｒｅｎｃｅ", "inférence",
            "inference\u0000", "inference\n[Error] x", "inference ", new string('a', 200), "%2e%2e", "inference;drop",
        ];
        foreach (var stack in stacks)
        {
            var label = Uri.EscapeDataString(stack.Length > 20 ? stack[..20] + "…" : stack);
            yield return new($"{++n:000} rescale stack {label}", "rescale", stack, """{"targetSize": 3, "reason": "x"}"""u8.ToArray(), "", 404, "stack");
            yield return new($"{++n:000} evaluate stack {label}", "evaluate", stack, [], "?dryRun=false", 404, "stack");
            yield return new($"{++n:000} status stack {label}", "status", stack, null, "", 404, "stack");
            yield return new($"{++n:000} history stack {label}", "history", stack, null, "", 404, "stack");
        }

        // evaluate's query.
        foreach (var value in new[] { "maybe", "1", "0", "yes", "no", "tru%20e", "%00", "%0A%5BError%5D", "TRUE!", "%E2%9C%93" })
        {
            yield return new($"{++n:000} evaluate dryRun={value}", "evaluate", Stack, [], "?dryRun=" + value, 400, "dryRun");
        }

        yield return new($"{++n:000} evaluate dryRun twice", "evaluate", Stack, [], "?dryRun=true&dryRun=false", 400, "dryRun");

        // history's query: bad, reversed and extreme dates, bad limits.
        foreach (var value in new[]
                 {
                     "yesterday", "2026-13-01", "2026-02-30", "2026-11-26T25:00:00Z", "2026-11-26T10:00:00%2B25:00", "2026-11-26T10:00:00 02:00",
                     "1764000000", "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-11-26", "2026-11-26%0AT10:00:00Z", "10000-01-01", "-0001-01-01",
                 })
        {
            yield return new($"{++n:000} history from={value}", "history", Stack, null, "?from=" + value, 400, "from");
            yield return new($"{++n:000} history to={value}", "history", Stack, null, "?to=" + value, 400, "to");
        }

        yield return new($"{++n:000} history reversed", "history", Stack, null, "?from=2026-11-26T12:00:00Z&to=2026-11-26T11:00:00Z", 400, "from");
        yield return new($"{++n:000} history empty window", "history", Stack, null, "?from=2026-11-26T12:00:00Z&to=2026-11-26T12:00:00Z", 400, "from");
        yield return new($"{++n:000} history from in the far future", "history", Stack, null, "?from=9999-12-31T23:59:59Z", 400, "from");
        yield return new($"{++n:000} history to at year one", "history", Stack, null, "?to=0001-01-01T00:00:00Z", 400, "to");
        yield return new($"{++n:000} history to an hour into year one", "history", Stack, null, "?to=0001-01-01T01:00:00Z", 400, "to");
        yield return new($"{++n:000} history from twice", "history", Stack, null, "?from=2026-11-26&from=2026-11-25", 400, "from");
        foreach (var value in new[] { "0", "-1", "abc", "1e3", "99999999999", "1.5", "%00", "5001" })
        {
            yield return new($"{++n:000} history limit={value}", "history", Stack, null, "?limit=" + value, 400, "limit");
        }
    }

    /// <summary>A rescale body of exactly <paramref name="bytes"/> bytes, its reason padded to fill it.</summary>
    private static byte[] Padded(int bytes)
    {
        const string head = "{\"targetSize\": 3, \"reason\": \"";
        const string tail = "\"}";
        return Encoding.UTF8.GetBytes(head + new string('p', bytes - head.Length - tail.Length) + tail);
    }
}
