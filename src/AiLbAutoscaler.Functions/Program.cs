using AiLbAutoscaler.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Real adapters for the ports the settings select (Autoscaler:Metrics:Source, Autoscaler:Actuator,
// Autoscaler:Storage:Enabled); AddAutoscalerCore's in-memory stand-ins serve the rest, and startup fails when a
// setting names an adapter that is not there.
builder.Services.AddAutoscalerAdapters(builder.Configuration);
builder.Services.AddAutoscalerCore(builder.Configuration);
builder.Services.AddAutoscalerFunctions(builder.Configuration);

// Metrics and spans of every decision; exported over OTLP and/or to Azure Monitor when their standard variables are set.
builder.Services.AddAutoscalerOpenTelemetry(builder.Configuration);
builder.Build().Run();
