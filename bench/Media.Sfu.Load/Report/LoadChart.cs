using System.Globalization;
using Media.Sfu.Load.Driver;

namespace Media.Sfu.Load.Report;

/// <summary>
/// Two stacked line charts against the number of calls: server CPU per packet (µs) on top, p99 forwarding delay
/// (ms) below; SFU in blue, coturn in orange. Axis maxima and the N values are written with a 3×5 bitmap font.
/// </summary>
public static class LoadChart
{
    private const int Width = 800, Height = 600;
    private static readonly (byte R, byte G, byte B) Sfu = (31, 119, 180), Turn = (255, 127, 14), Axis = (90, 90, 90), Grid = (225, 225, 225), Ink = (30, 30, 30);

    public static void Write(string path, IReadOnlyList<PhaseResult> results)
    {
        var canvas = new Canvas(Width, Height);
        var sfu = results.Where(r => r.Server == "sfu").OrderBy(r => r.Calls).ToList();
        var turn = results.Where(r => r.Server == "coturn").OrderBy(r => r.Calls).ToList();
        var maxN = results.Count == 0 ? 1 : results.Max(r => r.Calls);
        Panel(canvas, 20, "US/PKT", maxN, sfu.Select(r => (r.Calls, r.MicrosecondsPerPacket)).ToList(), turn.Select(r => (r.Calls, r.MicrosecondsPerPacket)).ToList());
        Panel(canvas, 310, "P99 MS", maxN, sfu.Select(r => (r.Calls, r.P99Ms)).ToList(), turn.Select(r => (r.Calls, r.P99Ms)).ToList());
        // Legend: a coloured box per series.
        canvas.FillRect(560, 4, 14, 10, Sfu); canvas.Text(580, 4, "SFU", Ink);
        canvas.FillRect(640, 4, 14, 10, Turn); canvas.Text(660, 4, "COTURN", Ink);
        canvas.Text(Width / 2 - 15, Height - 14, "CALLS", Ink);
        PngWriter.Write(path, Width, Height, canvas.Pixels);
    }

    private static void Panel(Canvas c, int top, string label, int maxN, List<(int N, double V)> a, List<(int N, double V)> b)
    {
        const int left = 70, right = Width - 30, height = 240;
        var bottom = top + height;
        var values = a.Concat(b).Select(p => p.V).Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).ToList();
        var maxV = values.Count == 0 ? 1 : NiceCeiling(values.Max() * 1.1);
        for (var i = 1; i <= 4; i++) c.Line(left, bottom - height * i / 4, right, bottom - height * i / 4, Grid, 1);
        c.Line(left, top, left, bottom, Axis, 2);
        c.Line(left, bottom, right, bottom, Axis, 2);
        c.Text(8, top + 4, label, Ink);
        c.Text(8, top + 20, maxV.ToString("0.##", CultureInfo.InvariantCulture), Ink);
        c.Text(52, bottom - 10, "0", Ink);
        int X(int n) => left + (int)((right - left) * (double)n / maxN);
        int Y(double v) => bottom - (int)(height * Math.Clamp(v / maxV, 0, 1));
        foreach (var n in a.Concat(b).Select(p => p.N).Distinct())
        {
            c.Line(X(n), bottom, X(n), bottom + 5, Axis, 1);
            var text = n.ToString(CultureInfo.InvariantCulture);
            c.Text(X(n) - text.Length * 4, bottom + 9, text, Ink);
        }
        Series(c, a, X, Y, Sfu);
        Series(c, b, X, Y, Turn);
    }

    private static void Series(Canvas c, List<(int N, double V)> points, Func<int, int> x, Func<double, int> y, (byte, byte, byte) color)
    {
        var valid = points.Where(p => !double.IsNaN(p.V)).ToList();
        for (var i = 1; i < valid.Count; i++) c.Line(x(valid[i - 1].N), y(valid[i - 1].V), x(valid[i].N), y(valid[i].V), color, 3);
        foreach (var p in valid) c.FillRect(x(p.N) - 4, y(p.V) - 4, 9, 9, color);
    }

    private static double NiceCeiling(double v)
    {
        if (v <= 0) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
            if (step * magnitude >= v) return step * magnitude;
        return 10 * magnitude;
    }

    private sealed class Canvas(int width, int height)
    {
        public byte[] Pixels { get; } = Enumerable.Repeat((byte)255, width * height * 3).ToArray();

        public void Set(int x, int y, (byte R, byte G, byte B) c)
        {
            if ((uint)x >= width || (uint)y >= height) return;
            var i = (y * width + x) * 3;
            Pixels[i] = c.R; Pixels[i + 1] = c.G; Pixels[i + 2] = c.B;
        }

        public void FillRect(int x, int y, int w, int h, (byte, byte, byte) c)
        {
            for (var j = y; j < y + h; j++) for (var i = x; i < x + w; i++) Set(i, j, c);
        }

        /// <summary>Bresenham, drawn as a square brush of <paramref name="thickness"/> pixels.</summary>
        public void Line(int x0, int y0, int x1, int y1, (byte, byte, byte) c, int thickness)
        {
            int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
            var half = thickness / 2;
            while (true)
            {
                FillRect(x0 - half, y0 - half, thickness, thickness, c);
                if (x0 == x1 && y0 == y1) return;
                var e2 = 2 * err;
                if (e2 >= dy) { err += dy; x0 += sx; }
                if (e2 <= dx) { err += dx; y0 += sy; }
            }
        }

        /// <summary>Text in a 3×5 font drawn at twice the size; unknown characters are blank.</summary>
        public void Text(int x, int y, string text, (byte, byte, byte) c)
        {
            foreach (var ch in text.ToUpperInvariant())
            {
                if (Font.TryGetValue(ch, out var rows))
                    for (var r = 0; r < 5; r++)
                        for (var col = 0; col < 3; col++)
                            if ((rows[r] >> (2 - col) & 1) != 0) FillRect(x + col * 2, y + r * 2, 2, 2, c);
                x += 8;
            }
        }

        private static readonly Dictionary<char, byte[]> Font = new()
        {
            ['0'] = [7, 5, 5, 5, 7], ['1'] = [2, 6, 2, 2, 7], ['2'] = [7, 1, 7, 4, 7], ['3'] = [7, 1, 7, 1, 7], ['4'] = [5, 5, 7, 1, 1],
            ['5'] = [7, 4, 7, 1, 7], ['6'] = [7, 4, 7, 5, 7], ['7'] = [7, 1, 1, 1, 1], ['8'] = [7, 5, 7, 5, 7], ['9'] = [7, 5, 7, 1, 7],
            ['.'] = [0, 0, 0, 0, 2], ['/'] = [1, 1, 2, 4, 4], ['A'] = [2, 5, 7, 5, 5], ['C'] = [7, 4, 4, 4, 7], ['F'] = [7, 4, 6, 4, 4],
            ['K'] = [5, 5, 6, 5, 5], ['L'] = [4, 4, 4, 4, 7], ['M'] = [5, 7, 7, 5, 5], ['N'] = [6, 5, 5, 5, 5], ['O'] = [7, 5, 5, 5, 7],
            ['P'] = [7, 5, 7, 4, 4], ['R'] = [6, 5, 6, 5, 5], ['S'] = [7, 4, 7, 1, 7], ['T'] = [7, 2, 2, 2, 2], ['U'] = [5, 5, 5, 5, 7],
        };
    }
}
