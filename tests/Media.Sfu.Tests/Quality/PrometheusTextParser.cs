using System.Globalization;
using System.Text;

namespace Media.Sfu.Tests.Quality;

/// <summary>One sample line: its full name (with _bucket/_sum/_count for histograms), labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";
}

/// <summary>A metric family: its name, TYPE, HELP (unescaped) and samples in file order.</summary>
public sealed record PrometheusFamily(string Name, string Type, string? Help, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line is checked against the
/// grammar (metric and label names, escapes, float values, optional timestamp), TYPE/HELP appear at most once per
/// family and before its samples, a family's lines form one group, no series repeats, label names do not repeat,
/// and histograms have cumulative buckets with increasing <c>le</c>, a +Inf bucket equal to <c>_count</c>, and
/// <c>_sum</c>/<c>_count</c>. Any violation throws <see cref="FormatException"/> naming the line.
/// </summary>
public static class PrometheusTextParser
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyList<PrometheusFamily> Parse(string text)
    {
        if (text.Length > 0 && text[^1] != '\n') throw new FormatException("the last line must end with a line feed");
        var families = new List<Builder>();
        var byName = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        Builder? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1 || (n == lines.Length - 1 && lines[n].Length > 0); n++)
        {
            var line = lines[n];
            var where = $"line {n + 1} '{line}'";
            if (line.Length == 0) continue;
            if (line.Contains('\r')) throw new FormatException($"{where}: carriage return");
            if (line[0] == '#')
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[0] == "#" && parts[1] is "HELP" or "TYPE")
                {
                    var name = parts[2];
                    if (!IsMetricName(name)) throw new FormatException($"{where}: bad metric name");
                    var family = Enter(name);
                    if (parts[1] == "HELP")
                    {
                        if (family.Help is not null) throw new FormatException($"{where}: second HELP");
                        family.Help = UnescapeHelp(parts.Length == 4 ? parts[3] : "", where);
                    }
                    else
                    {
                        if (family.Type is not null) throw new FormatException($"{where}: second TYPE");
                        if (family.Samples.Count > 0) throw new FormatException($"{where}: TYPE after samples");
                        if (parts.Length != 4 || !Types.Contains(parts[3])) throw new FormatException($"{where}: unknown type");
                        family.Type = parts[3];
                    }
                }
                continue; // any other comment
            }

            var sample = ParseSample(line, where);
            var familyName = FamilyOf(sample.Name, byName);
            var owner = Enter(familyName);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!series.Add(key)) throw new FormatException($"{where}: series repeated");
            owner.Samples.Add(sample);
        }

        var result = new List<PrometheusFamily>();
        foreach (var f in families)
        {
            var type = f.Type ?? "untyped";
            if (type == "histogram") CheckHistogram(f);
            else if (type == "counter")
            {
                foreach (var s in f.Samples)
                {
                    if (s.Name != f.Name) throw new FormatException($"counter {f.Name} has a sample named {s.Name}");
                    if (s.Value < 0 || double.IsNaN(s.Value)) throw new FormatException($"counter {f.Name} is {s.Value}");
                }
            }
            else if (type == "gauge")
            {
                foreach (var s in f.Samples)
                    if (s.Name != f.Name) throw new FormatException($"gauge {f.Name} has a sample named {s.Name}");
            }
            result.Add(new PrometheusFamily(f.Name, type, f.Help, f.Samples));
        }
        return result;

        Builder Enter(string name)
        {
            if (current?.Name == name) return current;
            if (closed.Contains(name)) throw new FormatException($"lines of family {name} are not one group");
            if (current is not null) closed.Add(current.Name);
            current = new Builder(name);
            families.Add(current);
            byName[name] = current;
            return current;
        }
    }

    public static PrometheusFamily Family(this IReadOnlyList<PrometheusFamily> families, string name) =>
        families.SingleOrDefault(f => f.Name == name) ?? throw new Xunit.Sdk.XunitException($"no metric family {name}");

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static double Value(this IReadOnlyList<PrometheusFamily> families, string name, params (string Name, string Value)[] labels)
    {
        var matches = families.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && labels.All(l => s.Label(l.Name) == l.Value)).ToList();
        if (matches.Count != 1) throw new Xunit.Sdk.XunitException($"{matches.Count} samples of {name} match");
        return matches[0].Value;
    }

    private sealed class Builder(string name)
    {
        public string Name { get; } = name;
        public string? Type;
        public string? Help;
        public List<PrometheusSample> Samples { get; } = new();
    }

    /// <summary>A histogram's _bucket/_sum/_count samples belong to the family without the suffix when it is a histogram.</summary>
    private static string FamilyOf(string sampleName, Dictionary<string, Builder> known)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (!sampleName.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var baseName = sampleName[..^suffix.Length];
            if (known.TryGetValue(baseName, out var f) && f.Type is "histogram" or "summary") return baseName;
        }
        return sampleName;
    }

    private static void CheckHistogram(Builder f)
    {
        var groups = new Dictionary<string, (List<(double Le, double Count)> Buckets, double? Sum, double? Count)>(StringComparer.Ordinal);
        foreach (var s in f.Samples)
        {
            var rest = s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value);
            var key = string.Join(",", rest);
            if (!groups.TryGetValue(key, out var g)) g = (new List<(double, double)>(), null, null);
            if (s.Name == f.Name + "_bucket")
            {
                if (!s.Labels.TryGetValue("le", out var le)) throw new FormatException($"{s.Name} without le");
                g.Buckets.Add((ParseFloat(le, s.Name + " le"), s.Value));
            }
            else if (s.Name == f.Name + "_sum")
            {
                if (s.Labels.ContainsKey("le")) throw new FormatException($"{s.Name} with le");
                g.Sum = s.Value;
            }
            else if (s.Name == f.Name + "_count")
            {
                if (s.Labels.ContainsKey("le")) throw new FormatException($"{s.Name} with le");
                g.Count = s.Value;
            }
            else throw new FormatException($"histogram {f.Name} has a sample named {s.Name}");
            groups[key] = g;
        }
        foreach (var (key, g) in groups)
        {
            var what = $"histogram {f.Name}{{{key}}}";
            if (g.Buckets.Count == 0) throw new FormatException($"{what} has no buckets");
            for (var i = 1; i < g.Buckets.Count; i++)
            {
                if (!(g.Buckets[i].Le > g.Buckets[i - 1].Le)) throw new FormatException($"{what}: le not increasing");
                if (g.Buckets[i].Count < g.Buckets[i - 1].Count) throw new FormatException($"{what}: buckets not cumulative");
            }
            if (!double.IsPositiveInfinity(g.Buckets[^1].Le)) throw new FormatException($"{what}: no +Inf bucket");
            if (g.Count is null || g.Sum is null) throw new FormatException($"{what}: _sum or _count missing");
            if (g.Count != g.Buckets[^1].Count) throw new FormatException($"{what}: +Inf bucket {g.Buckets[^1].Count} != _count {g.Count}");
            if (g.Buckets.Any(b => b.Count < 0 || b.Count != Math.Floor(b.Count))) throw new FormatException($"{what}: bucket counts must be whole");
        }
    }

    private static PrometheusSample ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        if (!IsMetricName(name)) throw new FormatException($"{where}: bad metric name");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && line[i] != '=') i++;
                var labelName = line[start..i];
                if (!IsLabelName(labelName)) throw new FormatException($"{where}: bad label name '{labelName}'");
                if (i + 1 >= line.Length || line[i + 1] != '"') throw new FormatException($"{where}: label value must be quoted");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"{where}: unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException($"{where}: dangling backslash");
                        var e = line[i++];
                        value.Append(e switch
                        {
                            '\\' => '\\', '"' => '"', 'n' => '\n',
                            _ => throw new FormatException($"{where}: invalid escape \\{e}"),
                        });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(labelName, value.ToString())) throw new FormatException($"{where}: label {labelName} repeated");
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; break; }
                throw new FormatException($"{where}: expected , or }}");
            }
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"{where}: expected a space before the value");
        var fields = line[(i + 1)..].Split(' ');
        if (fields.Length is < 1 or > 2 || fields[0].Length == 0) throw new FormatException($"{where}: expected value [timestamp]");
        var v = ParseFloat(fields[0], where);
        if (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"{where}: bad timestamp");
        return new PrometheusSample(name, labels, v);
    }

    /// <summary>Floats as Go's ParseFloat reads them, including +Inf/-Inf/NaN.</summary>
    private static double ParseFloat(string text, string where)
    {
        switch (text)
        {
            case "+Inf" or "Inf": return double.PositiveInfinity;
            case "-Inf": return double.NegativeInfinity;
            case "NaN": return double.NaN;
        }
        foreach (var c in text)
            if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')) throw new FormatException($"{where}: bad number '{text}'");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) throw new FormatException($"{where}: bad number '{text}'");
        return v;
    }

    private static string UnescapeHelp(string text, string where)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\') { sb.Append(text[i]); continue; }
            if (++i >= text.Length) throw new FormatException($"{where}: dangling backslash in HELP");
            sb.Append(text[i] switch
            {
                '\\' => '\\', 'n' => '\n',
                _ => throw new FormatException($"{where}: invalid escape in HELP"),
            });
        }
        return sb.ToString();
    }

    private static bool IsMetricName(string s) =>
        s.Length > 0 && !char.IsAsciiDigit(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string s) =>
        s.Length > 0 && !char.IsAsciiDigit(s[0]) && !s.StartsWith("__", StringComparison.Ordinal) && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
