using ControlPlane.Api.Hosting;

var app = ControlPlaneApp.Build(args);
await ControlPlaneApp.InitializeAsync(app);
await app.RunAsync();

/// <summary>Entry point; public so tests can reference the assembly's host.</summary>
public partial class Program;
