using AiLbAutoscaler.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Real adapters for what the settings select: per stack Autoscaler:Stacks:<stack>:Actuator and :Metrics:Adapter
// (defaults Autoscaler:Actuator, Autoscaler:Metrics:Source), and Autoscaler:Storage:Enabled; AddAutoscalerCore routes
// each stack to its adapter and fails startup when a stack names an adapter that is not there.
builder.Services.AddAutoscalerAdapters(builder.Configuration);
builder.Services.AddAutoscalerCore(builder.Configuration);
builder.Services.AddAutoscalerFunctions(builder.Configuration);

// Metrics and spans of every decision; exported over OTLP and/or to Azure Monitor when their standard variables are set.
builder.Services.AddAutoscalerOpenTelemetry(builder.Configuration);
builder.Build().Run();
