using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Core.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>The one JSON shape of the HTTP API: camelCase names, enums as camelCase strings, nulls left out.</summary>
public static class ApiJson
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string ProblemContentType = "application/problem+json; charset=utf-8";

    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

            // Explanations hold '→' and '×'; the API answers JSON, never HTML, so they need not be escaped.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,

            // A reading may carry NaN or ∞ (it is then unusable, but it is still reported as seen).
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// A JSON response written with <see cref="ApiJson.Options"/>. It writes the body itself, so it needs no MVC formatter
/// and behaves the same in the Functions host and in a test's <see cref="DefaultHttpContext"/>.
/// </summary>
public sealed class ApiJsonResult(object value, int statusCode, string contentType = ApiJson.JsonContentType) : IActionResult
{
    public object Value { get; } = value;

    public int StatusCode { get; } = statusCode;

    public string ContentType { get; } = contentType;

    /// <summary>Writes the body with every secret masked: a detail or message may quote what an adapter saw.</summary>
    public Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        var redactor = context.HttpContext.RequestServices?.GetService<SecretRedactor>() ?? SecretRedactor.ShapesOnly;
        return response.WriteAsync(redactor.Redact(JsonSerializer.Serialize(Value, Value.GetType(), ApiJson.Options)), context.HttpContext.RequestAborted);
    }
}
