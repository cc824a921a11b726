using System.Globalization;
using System.Net.NetworkInformation;
using System.Text;
using System.Text.Json;
using NodeFoundry.Fleet;

namespace NodeFoundry.Http;

/// <summary>
/// Which nodes phoned home and which of them have network boot disarmed, in memory and (with a path) in an
/// append-only JSON-lines file in the state directory (<see cref="FileName"/>), so a restart keeps it. Each
/// change appends one line and flushes it to disk before the phone-home is answered; on open the lines are
/// replayed in order and the last one per MAC wins. A line that does not parse (a write torn by a crash, a
/// hand edit gone wrong) is skipped and counted in <see cref="IgnoredLines"/>, never fatal. Thread-safe.
/// </summary>
public sealed class InstalledNodeStore
{
    /// <summary>The file name inside the state directory.</summary>
    public const string FileName = "installed.jsonl";

    private readonly object _gate = new();
    private readonly Dictionary<PhysicalAddress, InstalledNode> _nodes = [];
    private long _phoneHomes;

    /// <summary>A store kept in memory only (tests, <c>--no-state</c>-style hosts).</summary>
    public InstalledNodeStore()
    {
    }

    private InstalledNodeStore(string path)
    {
        Path = path;
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path, Encoding.UTF8))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (TryParse(line, out var node))
                {
                    _nodes[node.MacAddress] = node;
                }
                else
                {
                    IgnoredLines++;
                }
            }
        }
    }

    /// <summary>The JSON-lines file, or null for a memory-only store.</summary>
    public string? Path { get; }

    /// <summary>Lines of the file that did not parse and were skipped on open.</summary>
    public int IgnoredLines { get; }

    /// <summary>Phone-home calls recorded since this store was opened (repeats included).</summary>
    public long PhoneHomes => Interlocked.Read(ref _phoneHomes);

    /// <summary>Nodes that have phoned home (ever, as far as the file knows).</summary>
    public int InstalledCount
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>
    /// Opens (creating the folder if needed) the store in <paramref name="stateDirectory"/>. Throws
    /// <see cref="InvalidOperationException"/> naming the path when the folder or file cannot be read or created.
    /// </summary>
    public static InstalledNodeStore Open(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        var path = System.IO.Path.Combine(stateDirectory, FileName);
        try
        {
            Directory.CreateDirectory(stateDirectory);
            return new InstalledNodeStore(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"the phone-home record {path} cannot be opened: {ex.Message}. Make server.stateDirectory a folder this user can write.", ex);
        }
    }

    /// <summary>The record of <paramref name="mac"/>, or null when it never phoned home.</summary>
    public InstalledNode? Find(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        lock (_gate)
        {
            return _nodes.GetValueOrDefault(mac);
        }
    }

    /// <summary>True when <paramref name="mac"/> phoned home and its network boot is disarmed.</summary>
    public bool IsDisarmed(PhysicalAddress mac) => Find(mac)?.Disarmed == true;

    /// <summary>Every recorded node, in MAC order.</summary>
    public IReadOnlyList<InstalledNode> Snapshot()
    {
        lock (_gate)
        {
            return [.. _nodes.Values.OrderBy(n => MacAddressText.Format(n.MacAddress), StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Records that <paramref name="mac"/> phoned home. With <paramref name="disarm"/> its network boot is disarmed;
    /// without, a node disarmed before stays disarmed. Durable (flushed) before it returns when the store has a file.
    /// </summary>
    public InstalledNode MarkInstalled(PhysicalAddress mac, string? nodeName, bool disarm, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(mac);
        Interlocked.Increment(ref _phoneHomes);
        lock (_gate)
        {
            var previous = _nodes.GetValueOrDefault(mac);
            var node = new InstalledNode(mac, nodeName, at.ToUniversalTime(), disarm || previous?.Disarmed == true);
            Append(node);
            _nodes[mac] = node;
            return node;
        }
    }

    /// <summary>Arms network boot again for <paramref name="mac"/> (to reinstall it); false when it was not disarmed.</summary>
    public bool Rearm(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        lock (_gate)
        {
            if (_nodes.GetValueOrDefault(mac) is not { Disarmed: true } node)
            {
                return false;
            }

            var armed = node with { Disarmed = false };
            Append(armed);
            _nodes[mac] = armed;
            return true;
        }
    }

    /// <summary>One line: <c>{"mac":"52:54:00:00:00:01","node":"node01","installedAt":"2026-…Z","disarmed":true}</c>.</summary>
    internal static string Format(InstalledNode node)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("mac", MacAddressText.Format(node.MacAddress));
            if (node.NodeName is not null)
            {
                json.WriteString("node", node.NodeName);
            }

            json.WriteString("installedAt", node.InstalledAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteBoolean("disarmed", node.Disarmed);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static bool TryParse(string line, out InstalledNode node)
    {
        node = null!;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("mac", out var mac) || mac.ValueKind != JsonValueKind.String
                || !MacAddressText.TryParse(mac.GetString(), out var address)
                || !root.TryGetProperty("installedAt", out var at) || at.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var installedAt)
                || !root.TryGetProperty("disarmed", out var disarmed) || disarmed.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return false;
            }

            var name = root.TryGetProperty("node", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            node = new InstalledNode(address, name, installedAt.ToUniversalTime(), disarmed.GetBoolean());
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void Append(InstalledNode node)
    {
        if (Path is null)
        {
            return;
        }

        // A torn previous line (crash mid-write) must not swallow this one: start on a fresh line if needed.
        var bytes = Encoding.UTF8.GetBytes(Format(node) + "\n");
        using var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (file.Length > 0)
        {
            file.Seek(-1, SeekOrigin.End);
            if (file.ReadByte() != '\n')
            {
                file.WriteByte((byte)'\n');
            }
        }

        file.Seek(0, SeekOrigin.End);
        file.Write(bytes);
        file.Flush(flushToDisk: true);
    }
}
