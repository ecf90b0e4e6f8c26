using System.Collections.Concurrent;
using Media.Sfu.Rtcp;
using Media.Sfu.Rtp;
using Media.Sfu.Transports;
using Microsoft.Extensions.Logging;

namespace Media.Sfu.Routing;

/// <summary>
/// A room (mediasoup's Router): holds transports, the producers arriving on them and the consumers
/// carrying those producers out on other (or, in echo mode, the same) transports. The packet path only
/// reads copy-on-write arrays; membership changes take the router's own lock.
/// </summary>
public sealed class Router : ITransportMediaSink
{
    public static readonly TimeSpan KeyframeRequestInterval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, WebRtcTransport> _transports = new();
    private readonly ConcurrentDictionary<WebRtcTransport, Producer[]> _producersByTransport = new();
    private readonly ConcurrentDictionary<WebRtcTransport, Consumer[]> _consumersByTransport = new();
    private readonly ILogger _log;
    private int _nextId;

    public Router(string id, ILogger log)
    {
        Id = id;
        _log = log;
    }

    public string Id { get; }
    public IReadOnlyCollection<WebRtcTransport> Transports => (IReadOnlyCollection<WebRtcTransport>)_transports.Values;
    public IEnumerable<Producer> Producers => _producersByTransport.Values.SelectMany(p => p);
    public IEnumerable<Consumer> Consumers => _consumersByTransport.Values.SelectMany(c => c);
    public long RtcpFeedbackForwarded;

    public void AddTransport(WebRtcTransport transport)
    {
        _transports[transport.Id] = transport;
        _producersByTransport.TryAdd(transport, Array.Empty<Producer>());
        _consumersByTransport.TryAdd(transport, Array.Empty<Consumer>());
        transport.MediaSink = this;
        transport.Closed += OnTransportClosed;
    }

    public Producer CreateProducer(WebRtcTransport transport, ProducerParameters parameters)
    {
        var producer = new Producer($"{Id}-p{Interlocked.Increment(ref _nextId)}", transport, parameters);
        lock (this) _producersByTransport[transport] = [.. _producersByTransport.GetValueOrDefault(transport, Array.Empty<Producer>()), producer];
        return producer;
    }

    public Consumer Consume(Producer producer, WebRtcTransport transport, ConsumerParameters parameters)
    {
        var consumer = new Consumer($"{Id}-c{Interlocked.Increment(ref _nextId)}", producer, transport, parameters);
        lock (this) _consumersByTransport[transport] = [.. _consumersByTransport.GetValueOrDefault(transport, Array.Empty<Consumer>()), consumer];
        producer.Add(consumer);
        producer.SenderSsrcForFeedback = parameters.Ssrc;
        // A new receiver needs a keyframe before it can show anything (the forwarding issue's rule).
        producer.RequestKeyframe(TimeSpan.Zero);
        return consumer;
    }

    public void OnRtp(WebRtcTransport transport, Span<byte> rtp)
    {
        if (!RtpPacket.TryParse(rtp, out var packet)) return;
        var producers = _producersByTransport.GetValueOrDefault(transport);
        if (producers is null) return;
        var ssrc = packet.Ssrc;
        for (var i = 0; i < producers.Length; i++)
        {
            if (producers[i].Ssrc == ssrc)
            {
                producers[i].OnRtp(rtp, packet.SequenceNumber, packet.Timestamp, packet.PayloadType);
                return;
            }
        }
    }

    public void OnRtcp(WebRtcTransport transport, Span<byte> rtcp)
    {
        // Browsers pad transport-cc feedback inside compounds (libwebrtc), so padding is accepted anywhere.
        var reader = new RtcpCompoundReader(rtcp, allowPaddingOnAnyPacket: true);
        while (reader.TryReadNext(out var header, out var packet))
        {
            if (header.PacketType == RtcpPacketType.PayloadSpecificFeedback)
            {
                uint mediaSsrc = 0;
                if (header.Count == RtcpFeedbackFormat.PictureLossIndication && PictureLossIndication.TryParse(packet, out var pli)) mediaSsrc = pli.MediaSsrc;
                else if (header.Count == RtcpFeedbackFormat.FullIntraRequest && FullIntraRequest.TryParse(packet, out var fir) && fir.EntryCount > 0) mediaSsrc = fir.GetEntry(0).Ssrc;
                if (mediaSsrc != 0 && FindConsumer(transport, mediaSsrc) is { } consumer &&
                    consumer.Producer.RequestKeyframe(KeyframeRequestInterval))
                    Interlocked.Increment(ref RtcpFeedbackForwarded);
            }
        }
    }

    private Consumer? FindConsumer(WebRtcTransport transport, uint ssrc)
    {
        var consumers = _consumersByTransport.GetValueOrDefault(transport);
        if (consumers is null) return null;
        for (var i = 0; i < consumers.Length; i++) if (consumers[i].Ssrc == ssrc) return consumers[i];
        return null;
    }

    private void OnTransportClosed(WebRtcTransport transport)
    {
        lock (this)
        {
            if (_producersByTransport.TryRemove(transport, out var producers))
                foreach (var p in producers)
                {
                    p.Close();
                    foreach (var c in p.Consumers) RemoveConsumerLocked(c);
                }
            if (_consumersByTransport.TryRemove(transport, out var consumers))
                foreach (var c in consumers) { c.Close(); c.Producer.Remove(c); }
            _transports.TryRemove(transport.Id, out _);
        }
        transport.MediaSink = null;
    }

    private void RemoveConsumerLocked(Consumer c)
    {
        c.Close();
        if (_consumersByTransport.TryGetValue(c.Transport, out var list))
            _consumersByTransport[c.Transport] = Array.FindAll(list, x => x != c);
    }

    /// <summary>Closes every transport of the room.</summary>
    public void Close()
    {
        foreach (var t in _transports.Values) t.Close();
    }
}
