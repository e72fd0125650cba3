using AiLbAutoscaler.Core.Ports;
using Azure;

namespace AiLbAutoscaler.Adapters.AzureStorage.Configuration;

/// <summary>
/// Storage could not do what was asked: unreachable, refused, or answered with an error. The message names the operation,
/// the endpoint (without any query, so no SAS token) and the setting to check; it never holds a key or a token.
/// </summary>
/// <remarks>A <see cref="PortException"/>: hosts answer 503 when <see cref="PortException.Unavailable"/> without knowing this adapter.</remarks>
public sealed class AzureStorageException(string message, bool unavailable, Exception? inner)
    : PortException(message, unavailable, inner);

internal static class StorageErrors
{
    public static async Task GuardAsync(Func<Task> action, AzureStorageClients clients, string operation, Uri endpoint, CancellationToken cancellationToken = default) =>
        await GuardAsync(async () =>
        {
            await action();
            return true;
        }, clients, operation, endpoint, cancellationToken);

    /// <summary>Runs a storage call; failures the caller does not handle itself become an <see cref="AzureStorageException"/>.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> action, AzureStorageClients clients, string operation, Uri endpoint, CancellationToken cancellationToken = default)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (Translate(ex, clients, operation, endpoint) is { } translated)
        {
            throw translated;
        }
    }

    public static AzureStorageException? Translate(Exception ex, AzureStorageClients clients, string operation, Uri endpoint)
    {
        var where = $"{operation} at {endpoint.GetLeftPart(UriPartial.Path)}";
        var check = $"Check {clients.Options.ConnectionSource} and that the storage account is reachable.";
        switch (ex)
        {
            case AzureStorageException:
                return null;
            case RequestFailedException { Status: 0 }:
            case AggregateException:
            case OperationCanceledException:
                var attempts = ex is AggregateException agg ? $" after {agg.InnerExceptions.Count} attempts" : "";
                return new AzureStorageException(
                    $"Azure Storage is unreachable: could not {where}{attempts} ({Reason(ex)}). {check}", unavailable: true, ex);
            case RequestFailedException { Status: 401 or 403 } denied:
                return new AzureStorageException(
                    $"Azure Storage refused to {where} (HTTP {denied.Status} {denied.ErrorCode}). With a connection string, check its key or SAS; " +
                    "with a managed identity, grant it 'Storage Table Data Contributor' and 'Storage Blob Data Contributor'. " + check, unavailable: false, ex);
            case RequestFailedException { Status: 408 or 429 or >= 500 } busy:
                return new AzureStorageException(
                    $"Azure Storage did not {where} (HTTP {busy.Status} {busy.ErrorCode}); try again later. {check}", unavailable: true, ex);
            case RequestFailedException failed:
                return new AzureStorageException(
                    $"Azure Storage could not {where} (HTTP {failed.Status} {failed.ErrorCode}).", unavailable: false, ex);
            default:
                return null;
        }
    }

    /// <summary>The root cause in one line: the socket error, not the SDK's multi-line dump of headers.</summary>
    private static string Reason(Exception ex)
    {
        var last = ex is AggregateException agg && agg.InnerExceptions.Count > 0 ? agg.InnerExceptions[^1] : ex;
        var root = last.GetBaseException();
        var line = root.Message.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
