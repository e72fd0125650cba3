using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Storage.Tests;

/// <summary>Settings only; nothing here talks to storage.</summary>
[Trait("Area", "Storage")]
public sealed class StorageOptionsTests
{
    [Fact]
    public void A_dedicated_connection_string_wins_over_AzureWebJobsStorage()
    {
        var options = Load(new()
        {
            ["Autoscaler:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=other;AccountKey=a2V5;EndpointSuffix=core.windows.net",
        });

        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
        Assert.Equal("Autoscaler:Storage:ConnectionString", options.ConnectionSource);
    }

    [Fact]
    public void Without_a_dedicated_setting_the_Functions_storage_connection_is_used()
    {
        var options = Load(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });

        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
        Assert.Equal("AzureWebJobsStorage", options.ConnectionSource);
        Assert.Equal("AutoscalerState", options.StateTableName);
        Assert.Equal(30, options.LeaseDurationSeconds);
        Assert.Equal(TimeSpan.FromSeconds(10), options.LeaseRenewInterval);

        // UseDevelopmentStorage=true means Azurite on its default ports.
        var clients = new AzureStorageClients(options);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1/AutoscalerState", clients.StateTable.Uri.ToString());
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/autoscaler-leases", clients.LeaseContainer.Uri.ToString());
    }

    [Fact]
    public void Service_uris_select_a_managed_identity()
    {
        var options = Load(new()
        {
            ["Autoscaler:Storage:TableServiceUri"] = "https://acct.table.core.windows.net",
            ["Autoscaler:Storage:BlobServiceUri"] = "https://acct.blob.core.windows.net",
            ["Autoscaler:Storage:ClientId"] = "00000000-0000-0000-0000-000000000001",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        });

        Assert.True(options.UsesIdentity);
        Assert.Null(options.ConnectionString);

        // The clients are built without contacting anything (the credential is only used on the first request).
        var clients = new AzureStorageClients(options);
        Assert.Equal("https://acct.table.core.windows.net/AutoscalerState", clients.StateTable.Uri.ToString());
        Assert.Equal("https://acct.blob.core.windows.net/autoscaler-leases", clients.LeaseContainer.Uri.ToString());
    }

    [Fact]
    public void An_identity_based_AzureWebJobsStorage_connection_is_followed()
    {
        var options = Load(new() { ["AzureWebJobsStorage:accountName"] = "acct", ["AzureWebJobsStorage:clientId"] = "cid" });

        Assert.Equal(new Uri("https://acct.table.core.windows.net"), options.TableServiceUri);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), options.BlobServiceUri);
        Assert.Equal("cid", options.ClientId);
    }

    [Fact]
    public void No_connection_at_all_is_an_error_that_names_every_way_to_configure_one()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load([]));

        Assert.Contains("Autoscaler:Storage:ConnectionString", error.Message);
        Assert.Contains("AzureWebJobsStorage", error.Message);
        Assert.Contains("Autoscaler:Storage:TableServiceUri", error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_named_but_never_echoed()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(new()
        {
            ["AzureWebJobsStorage"] = "AccountName=acct;AccountKey=c2VjcmV0LWtleS1kby1ub3QtbG9n;Garbage",
        }));

        Assert.Contains("AzureWebJobsStorage is not a usable storage connection string", error.Message);
        Assert.DoesNotContain("c2VjcmV0LWtleS1kby1ub3QtbG9n", error.Message);
    }

    [Theory]
    [InlineData("Autoscaler:Storage:LeaseDurationSeconds", "14", "between 15 and 60")]
    [InlineData("Autoscaler:Storage:LeaseDurationSeconds", "61", "between 15 and 60")]
    [InlineData("Autoscaler:Storage:LeaseRenewIntervalSeconds", "20", "at most half")]
    [InlineData("Autoscaler:Storage:LeaseRenewIntervalSeconds", "0", "above 0")]
    [InlineData("Autoscaler:Storage:StateTableName", "bad-name", "not a valid table name")]
    [InlineData("Autoscaler:Storage:AuditTableName", "AutoscalerState", "must differ")]
    [InlineData("Autoscaler:Storage:LeaseContainerName", "Upper", "not a valid container name")]
    [InlineData("Autoscaler:Storage:LeaseContainerName", "two--hyphens", "not a valid container name")]
    [InlineData("Autoscaler:Storage:RequestTimeoutSeconds", "0", "(0, 300]")]
    [InlineData("Autoscaler:Storage:MaxRetries", "11", "[0, 10]")]
    public void A_bad_setting_is_named_with_what_is_wrong(string key, string value, string problem)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", [key] = value }));

        Assert.Contains(key.Split(':')[^1], error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("http://acct.table.core.windows.net", "must be an absolute https URI")]
    [InlineData("https://acct.table.core.windows.net/?sv=2024&sig=abc", "must not carry a query")]
    public void A_service_uri_must_be_https_and_carry_no_token(string uri, string problem)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(new()
        {
            ["Autoscaler:Storage:TableServiceUri"] = uri,
            ["Autoscaler:Storage:BlobServiceUri"] = "https://acct.blob.core.windows.net",
        }));

        Assert.Contains("Autoscaler:Storage:TableServiceUri", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain("sig=abc", error.Message);
    }

    [Fact]
    public void Only_one_service_uri_is_not_enough()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(new() { ["Autoscaler:Storage:TableServiceUri"] = "https://acct.table.core.windows.net" }));

        Assert.Contains("BlobServiceUri is required", error.Message);
    }

    private static AzureStorageOptions Load(Dictionary<string, string?> values) =>
        AzureStorageOptionsSetup.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
}
