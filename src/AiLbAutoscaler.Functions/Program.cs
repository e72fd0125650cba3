using AiLbAutoscaler.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Which adapter serves each port; a value that names no adapter stops startup with the setting's name.
var adapters = AdapterSelection.From(builder.Configuration);

// ─── Real adapters: the lead wires them in here when the adapter branches are merged. ───────────────────────────
// Register each before AddAutoscalerCore (its in-memory stand-ins are TryAdd, so a real adapter wins). At startup,
// AdapterWiringCheck fails when a setting asks for an adapter that is not registered here.
//   if (adapters.Metrics == MetricsSourceKind.CloudMonitoring) builder.Services.AddCloudMonitoringMetrics(builder.Configuration);
//   if (adapters.Actuator == ActuatorKind.Pulumi) builder.Services.AddPulumiActuator(builder.Configuration);
//   if (adapters.Storage) builder.Services.AddAzureStorageState(builder.Configuration);
_ = adapters;
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

builder.Services.AddAutoscalerCore(builder.Configuration);
builder.Services.AddAutoscalerFunctions(builder.Configuration);
builder.Build().Run();
