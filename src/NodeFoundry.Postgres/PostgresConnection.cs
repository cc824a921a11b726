using System.Net.Sockets;
using Npgsql;

namespace NodeFoundry.Storage;

/// <summary>What the adapter's stores share about reaching PostgreSQL: one way to build a data source, describe it and recognise an outage.</summary>
internal static class PostgresConnection
{
    /// <summary>
    /// A data source for <paramref name="connectionString"/> with short timeouts unless the string sets its own (the DHCP
    /// loop and the event recorder must notice an outage quickly), and how logs may name it.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, out string description)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the bad keyword, never the string: it may hold a password.
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", nameof(connectionString));
        }

        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 3;
            builder.CommandTimeout = 5;
        }

        builder.ApplicationName ??= "nodefoundry";
        description = Describe(builder);
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    /// <summary>host:port/database as user, for logs: everything but the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return $"postgresql://{builder.Username ?? "(default user)"}@{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? "(default database)"}";
    }

    /// <summary>Anything the database or the network said; a bug of ours (ArgumentException, …) is not an outage.</summary>
    public static bool IsUnavailable(Exception ex) =>
        ex is NpgsqlException or TimeoutException or SocketException or IOException
        || (ex is InvalidOperationException && ex.InnerException is NpgsqlException or SocketException or IOException);
}
