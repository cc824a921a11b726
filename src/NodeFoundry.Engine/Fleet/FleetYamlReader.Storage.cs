namespace NodeFoundry.Fleet;

/// <summary>The <c>storage</c> section: which lease store, and where its connection string is kept.</summary>
internal sealed partial class FleetYamlReader
{
    private void ReadStorage(Map root, StorageDraft storage)
    {
        Map? map = OpenMap(root.Value("storage"), "storage", "storage", StorageKeys,
            "storage: { kind: postgresql, connection: env:NF_PG }", secretKeys: true);
        if (map is null)
        {
            return;
        }

        if (TryChoice(map, "kind", StorageKinds, out StorageKind kind))
        {
            storage.Kind = kind;
        }
        else if (map.Value("kind") is null)
        {
            Missing(map, "kind", "Write 'kind: postgresql' (a database shared by several servers) or 'kind: journal' (the local lease journal, the default).");
            return;
        }
        else
        {
            return;
        }

        storage.Connection = ConnectionReference(map);
        if (storage.Kind == StorageKind.PostgreSql && storage.Connection is null && map.Value("connection") is null)
        {
            Missing(map, "connection", "Say where the connection string is kept: 'connection: env:NF_PG' or 'connection: file:secrets/pg.conn' (relative to the fleet file).");
        }
        else if (storage.Kind == StorageKind.Journal && storage.Connection is not null)
        {
            _diag.At(map.Child("connection"), "'connection' is only read for 'kind: postgresql'; the journal lives under server.stateDirectory.",
                "Remove the 'connection:' line, or write 'kind: postgresql'.");
        }

        ReadEventRetention(map, storage);
    }

    /// <summary><c>eventRetention</c>: a duration (30d), or <c>forever</c>; only the shared store keeps boot events.</summary>
    private void ReadEventRetention(Map map, StorageDraft storage)
    {
        if (map.Value("eventRetention") is null)
        {
            return;
        }

        if (storage.Kind != StorageKind.PostgreSql)
        {
            _diag.At(map.Child("eventRetention"), "'eventRetention' is only read for 'kind: postgresql'; a journal fleet keeps its boot timeline in memory.",
                "Remove the 'eventRetention:' line, or write 'kind: postgresql'.");
            return;
        }

        string? text = Text(map, "eventRetention", "a duration such as 30d, or forever");
        if (text is null)
        {
            return; // not a scalar: said already
        }

        if (string.Equals(text, "forever", StringComparison.OrdinalIgnoreCase))
        {
            storage.EventRetention = null;
            return;
        }

        storage.EventRetention = Duration(map, "eventRetention", "30d") ?? storage.EventRetention;
    }

    /// <summary>A <c>file:</c>/<c>env:</c> reference; a connection string written inline is refused, since it may hold a password.</summary>
    private SecretReference? ConnectionReference(Map map)
    {
        string? text = NonEmptyText(map, "connection", "a reference such as env:NF_PG or file:secrets/pg.conn");
        if (text is null)
        {
            return null;
        }

        if (text.Contains('=', StringComparison.Ordinal) || text.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            // The value is not echoed: it may be a connection string with a password in it.
            _diag.At(map.Value("connection")!, map.Child("connection"), "'connection' holds a connection string itself; the fleet file only says where it is kept (it may contain a password).",
                "Put the connection string (Host=...;Database=...;Username=...;Password=...) in a file or an environment variable and write 'connection: file:secrets/pg.conn' or 'connection: env:NF_PG'.",
                value: string.Empty);
            return null;
        }

        if (!SecretReference.TryParse(text, out SecretReference? reference))
        {
            _diag.At(map.Child("connection"), $"'{text}' is not a secret reference.",
                "Write env:NAME or file:PATH (relative to the fleet file), such as env:NF_PG.");
            return null;
        }

        return reference;
    }
}
