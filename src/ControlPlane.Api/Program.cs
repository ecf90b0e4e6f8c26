var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health", () => new { status = "ok" });
app.Run();
public partial class Program;
