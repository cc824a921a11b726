using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster owned by the tests: initdb (as the unprivileged <c>postgres</c> user — initdb
/// refuses root) into a temp folder, listening on 127.0.0.1 at a free port and on a Unix socket in that folder
/// (servers inside test namespaces reach it through the socket: a network namespace has its own loopback, but the
/// file system is shared). Started and stopped with pg_ctl on this data directory only, so it never touches
/// another PostgreSQL on the machine. One cluster serves a test collection; each test takes its own database.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private static int _databases;
    private readonly string _bin;

    public PostgresCluster()
    {
        Requirements.RequireRoot();
        _bin = FindBin();
        Folder = Directory.CreateTempSubdirectory("nfpg-").FullName;
        DataDirectory = Path.Combine(Folder, "data");
        Port = FreePort();
        try
        {
            Check(LabProcess.Run("chown", ["postgres:postgres", Folder], TimeSpan.FromSeconds(10)), "chown");
            Check(AsPostgres(TimeSpan.FromSeconds(120), Path.Combine(_bin, "initdb"), "-D", DataDirectory, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync"), "initdb");
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The temp folder: data directory, server log and the Unix socket.</summary>
    public string Folder { get; }

    public string DataDirectory { get; }

    public int Port { get; }

    public bool IsRunning { get; private set; }

    /// <summary>Connection string over the Unix socket (works from any network namespace).</summary>
    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host={Folder};Port={Port};Username=postgres;Database={database};Pooling=true");

    /// <summary>Connection string over TCP on 127.0.0.1 (root namespace only).</summary>
    public string TcpConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}");

    public void Start()
    {
        var options = string.Create(CultureInfo.InvariantCulture, $"-c listen_addresses=127.0.0.1 -p {Port} -k {Folder} -c max_connections=100");
        Check(AsPostgres(TimeSpan.FromSeconds(90), Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60", "-o", options, "start"), "pg_ctl start");
        IsRunning = true;
    }

    /// <summary>A fast shutdown: open transactions roll back, clients are disconnected — what an outage looks like.</summary>
    public void Stop()
    {
        Check(AsPostgres(TimeSpan.FromSeconds(90), Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"), "pg_ctl stop");
        IsRunning = false;
    }

    /// <summary>A new, empty database for one test.</summary>
    public string CreateDatabase(string prefix)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
        using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        command.ExecuteNonQuery();
        return name;
    }

    public string ServerLog => File.Exists(Path.Combine(Folder, "server.log")) ? File.ReadAllText(Path.Combine(Folder, "server.log")) : string.Empty;

    public void Dispose()
    {
        try
        {
            if (IsRunning)
            {
                Stop();
            }
        }
        finally
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // a temp folder left behind is reaped by the OS
            }
        }
    }

    private static (int ExitCode, string Output, string Error) AsPostgres(TimeSpan timeout, string command, params string[] arguments) =>
        LabProcess.Run("runuser", ["-u", "postgres", "--", command, .. arguments], timeout);

    private static void Check((int ExitCode, string Output, string Error) result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed ({result.ExitCode}): {result.Error}{result.Output}");
        }
    }

    private static string FindBin()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL is not installed. `.ci/run` installs it; by hand: apt-get install -y postgresql");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Tests that share one <see cref="PostgresCluster"/> (they run one after another: some stop it).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
