using AiLbAutoscaler.Reporting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>A whole HTML page, with headers that forbid any script and content sniffing.</summary>
public sealed class HtmlPageResult(string html) : IActionResult
{
    public const string ContentType = "text/html; charset=utf-8";

    public string Html { get; } = html;

    public Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers["Content-Security-Policy"] = HtmlPage.ContentSecurityPolicy;
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers.CacheControl = "no-store";
        return response.WriteAsync(Html, context.HttpContext.RequestAborted);
    }
}
