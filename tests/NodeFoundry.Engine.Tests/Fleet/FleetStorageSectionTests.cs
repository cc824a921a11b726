using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

/// <summary>The fleet file's <c>storage:</c> section: kinds, the connection reference, and errors with line and column.</summary>
public sealed class FleetStorageSectionTests
{
    // Lines 1-4; the storage section starts on line 5.
    private const string Base = """
        server:
          address: 192.0.2.1
        dhcp:
          mode: proxy

        """;

    [Fact]
    public void Without_a_storage_section_leases_go_to_the_journal()
    {
        var fleet = FleetLoader.Parse(Base).Fleet!;
        Assert.Equal(StorageKind.Journal, fleet.Storage.Kind);
        Assert.Null(fleet.Storage.Connection);
    }

    [Theory]
    [InlineData("env:NF_PG", "env", "NF_PG")]
    [InlineData("file:secrets/pg.conn", "file", "secrets/pg.conn")]
    public void Postgresql_with_a_connection_reference_is_read(string reference, string scheme, string name)
    {
        var result = FleetLoader.Parse(Base + $"storage:\n  kind: postgresql\n  connection: {reference}\n");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(StorageKind.PostgreSql, result.Fleet!.Storage.Kind);
        Assert.Equal(new SecretReference(scheme, name), result.Fleet.Storage.Connection);
    }

    [Theory]
    [InlineData(null, 30 * 24)]
    [InlineData("90d", 90 * 24)]
    [InlineData("36h", 36)]
    public void Event_retention_defaults_to_30_days_and_takes_a_duration(string? value, int hours)
    {
        string line = value is null ? string.Empty : $"  eventRetention: {value}\n";
        var result = FleetLoader.Parse(Base + "storage:\n  kind: postgresql\n  connection: env:NF_PG\n" + line);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(TimeSpan.FromHours(hours), result.Fleet!.Storage.EventRetention);
    }

    [Fact]
    public void Event_retention_forever_keeps_every_event()
    {
        var result = FleetLoader.Parse(Base + "storage:\n  kind: postgresql\n  connection: env:NF_PG\n  eventRetention: forever\n");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Null(result.Fleet!.Storage.EventRetention);
    }

    [Fact]
    public void Journal_kind_is_accepted_explicitly()
    {
        var result = FleetLoader.Parse(Base + "storage: { kind: journal }\n");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(StorageKind.Journal, result.Fleet!.Storage.Kind);
    }

    [Theory]
    [InlineData("  kind: mysql\n  connection: env:NF_PG\n", "storage.kind", 6, 9, "postgresql")]
    [InlineData("  kind: postgresql\n", "storage.connection", 6, 3, "env:NF_PG")]
    [InlineData("  kind: postgresql\n  connection: NF_PG\n", "storage.connection", 7, 15, "env:NAME")]
    [InlineData("  connection: env:NF_PG\n", "storage.kind", 6, 3, "kind: postgresql")]
    [InlineData("  kind: journal\n  connection: env:NF_PG\n", "storage.connection", 7, 15, "only read for 'kind: postgresql'")]
    [InlineData("  kind: postgresql\n  conection: env:NF_PG\n", "storage.conection", 7, 3, "connection")]
    [InlineData("  kind: postgresql\n  connection: env:NF_PG\n  eventRetention: a month\n", "storage.eventRetention", 8, 19, "30d")]
    [InlineData("  kind: postgresql\n  connection: env:NF_PG\n  eventRetention: 0\n", "storage.eventRetention", 8, 19, "positive")]
    [InlineData("  kind: journal\n  eventRetention: 30d\n", "storage.eventRetention", 7, 19, "only read for 'kind: postgresql'")]
    [InlineData("  kind: postgresql\n  connection: env:NF_PG\n  password: hunter2\n", "storage.password", 8, 3, "credential")]
    public void Bad_storage_is_reported_at_its_line_and_column(string body, string field, int line, int column, string fix)
    {
        var result = FleetLoader.Parse(Base + "storage:\n" + body, "bad.yaml");
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors, e => e.Field == field);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fix, error.Message + " " + error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inline_connection_string_is_refused_without_echoing_its_password()
    {
        var result = FleetLoader.Parse(Base + "storage:\n  kind: postgresql\n  connection: \"Host=db;Password=hunter2\"\n", "bad.yaml");
        var error = Assert.Single(result.Errors);
        Assert.Equal("storage.connection", error.Field);
        Assert.Equal(7, error.Line);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }
}
