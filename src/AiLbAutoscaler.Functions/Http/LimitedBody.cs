using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>Reads a request body as a JSON document, refusing more than a set number of bytes before parsing any of it.</summary>
public static class LimitedBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The parsed body, or the problem response that says why there is none.</summary>
    public static async Task<(JsonDocument? Document, ApiJsonResult? Problem)> ReadJsonAsync(
        HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, Problems.BodyTooLarge(maxBytes));
        }

        // Content-Length may be absent (chunked) or wrong, so the count is checked while reading too.
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, Problems.BodyTooLarge(maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        // Some clients (Windows PowerShell among them) start UTF-8 with a byte-order mark, which the JSON parser refuses.
        var bytes = buffer.ToArray().AsMemory();
        if (bytes.Span.StartsWith(Utf8Bom))
        {
            bytes = bytes[Utf8Bom.Length..];
        }

        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (null, Problems.NotJson("The request body is empty; send a JSON object."));
        }

        // The parser would take bytes that are not UTF-8 inside strings and fail later, when a value is read.
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return (null, Problems.NotJson("The request body is not valid UTF-8; send JSON encoded as UTF-8."));
        }

        try
        {
            return (JsonDocument.Parse(bytes, DocumentOptions), null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.NotJson($"The request body is not valid JSON: {ex.Message}"));
        }
    }
}
