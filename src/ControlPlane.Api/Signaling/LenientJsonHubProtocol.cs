using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace ControlPlane.Api.Signaling;

/// <summary>
/// SignalR's JSON hub protocol ("json", version 1) with the argument binding Socket.IO clients expect: a hub
/// parameter of type <see cref="JsonElement"/> receives any JSON value, and is left Undefined when the client sent
/// fewer arguments (seed events such as leave-queue have no payload), and extra arguments are ignored. An
/// invocation of an unknown method is delivered to <see cref="UnknownTarget"/> so the hub can answer it with an
/// error event. Everything else (writing, pings, completions, streaming) is the stock protocol's.
/// </summary>
public sealed class LenientJsonHubProtocol : IHubProtocol
{
    /// <summary>The hub method that receives invocations of methods the hub does not have (argument: the name).</summary>
    public const string UnknownTarget = "__unknown_event";
    private const byte RecordSeparator = 0x1e;
    private const int InvocationMessageType = 1;
    private readonly JsonHubProtocol _inner;
    private readonly JsonSerializerOptions _payloadOptions;

    public LenientJsonHubProtocol(IOptions<JsonHubProtocolOptions> options)
    {
        _inner = new JsonHubProtocol(options);
        _payloadOptions = options.Value.PayloadSerializerOptions;
    }

    public string Name => _inner.Name;
    public int Version => _inner.Version;
    public TransferFormat TransferFormat => _inner.TransferFormat;
    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);
    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        message = null;
        if (input.PositionOf(RecordSeparator) is not { } end) return false;
        var afterSeparator = input.GetPosition(1, end);
        if (!TryParseInvocation(input.Slice(0, end), binder, out message))
        {
            var record = input.Slice(0, afterSeparator);
            if (!_inner.TryParseMessage(ref record, binder, out message)) throw new InvalidDataException("Incomplete hub message.");
        }
        input = input.Slice(afterSeparator);
        return message is not null;
    }

    /// <summary>Parses plain invocations (type 1, no streams, no headers) itself; false hands the record to the stock parser.</summary>
    private bool TryParseInvocation(ReadOnlySequence<byte> record, IInvocationBinder binder, out HubMessage? message)
    {
        message = null;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(record); }
        catch (JsonException e) { throw new InvalidDataException("Error reading JSON.", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.Number
                || !type.TryGetInt32(out var t) || t != InvocationMessageType
                || root.TryGetProperty("streamIds", out _) || root.TryGetProperty("headers", out _)
                || !root.TryGetProperty("target", out var targetElement) || targetElement.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("arguments", out var arguments) || arguments.ValueKind != JsonValueKind.Array)
                return false;

            string? invocationId = null;
            if (root.TryGetProperty("invocationId", out var idElement))
            {
                if (idElement.ValueKind != JsonValueKind.String) return false;
                invocationId = idElement.GetString();
            }
            var target = targetElement.GetString()!;

            IReadOnlyList<Type> types;
            try { types = binder.GetParameterTypes(target); }
            catch (Exception) when (target != UnknownTarget)
            {
                message = new InvocationMessage(invocationId, UnknownTarget, new object?[] { JsonSerializer.SerializeToElement(target) });
                return true;
            }

            var given = arguments.GetArrayLength();
            var lenient = types.All(p => p == typeof(JsonElement));
            if (given > types.Count && !lenient)
            {
                message = Failure(invocationId, target, $"Invocation provides {given} argument(s) but target expects {types.Count}.");
                return true;
            }

            var args = new object?[types.Count];
            var i = 0;
            foreach (var item in arguments.EnumerateArray())
            {
                if (i == types.Count) break;
                try
                {
                    args[i] = types[i] == typeof(JsonElement) ? item.Clone() : item.Deserialize(types[i], _payloadOptions);
                }
                catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
                {
                    message = new InvocationBindingFailureMessage(invocationId, target, ExceptionDispatchInfo.Capture(e));
                    return true;
                }
                i++;
            }
            for (; i < types.Count; i++)
            {
                if (types[i] != typeof(JsonElement))
                {
                    message = Failure(invocationId, target, $"Invocation provides {given} argument(s) but target expects {types.Count}.");
                    return true;
                }
                args[i] = default(JsonElement);
            }
            message = new InvocationMessage(invocationId, target, args);
            return true;
        }
    }

    private static InvocationBindingFailureMessage Failure(string? invocationId, string target, string text) =>
        new(invocationId, target, ExceptionDispatchInfo.Capture(new InvalidDataException(text)));
}
