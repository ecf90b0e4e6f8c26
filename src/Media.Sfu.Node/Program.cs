using Media.Sfu.Node;

var app = SfuNodeApp.Build(args);
await app.RunAsync();
