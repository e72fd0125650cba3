using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>Reads a request body as a JSON document, refusing more than a set number of bytes before parsing any of it.</summary>
public static class LimitedBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

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

        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return (null, Problems.NotJson("The request body is empty; send a JSON object."));
        }

        try
        {
            return (JsonDocument.Parse(buffer.ToArray(), DocumentOptions), null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.NotJson($"The request body is not valid JSON: {ex.Message}"));
        }
    }
}
