using System.Net;
using NodeFoundry.Events;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Tftp;

/// <summary>A TFTP server on 127.0.0.1 with an ephemeral port and a temp root, stopped and deleted on dispose.</summary>
internal sealed class LoopbackTftpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private LoopbackTftpServer(TempRoot root, TftpServer server, BoundedEventChannel events)
    {
        Root = root;
        Server = server;
        Events = events;
        _run = server.RunAsync(events, _stop.Token);
    }

    public TempRoot Root { get; }

    public TftpServer Server { get; }

    public BoundedEventChannel Events { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoint!;

    public static async Task<LoopbackTftpServer> StartAsync(Func<TftpServerOptions, TftpServerOptions>? configure = null, TempRoot? root = null)
    {
        root ??= new TempRoot();
        var options = new TftpServerOptions { ListenAddress = IPAddress.Loopback, Port = 0, Root = root.Path };
        options = configure?.Invoke(options) ?? options;
        var server = new TftpServer(options);
        var host = new LoopbackTftpServer(root, server, new BoundedEventChannel(100_000));
        await server.WhenListening.WaitAsync(TimeSpan.FromSeconds(10));
        return host;
    }

    public TestTftpClient Client(TimeSpan? timeout = null) => new(EndPoint) { Timeout = timeout ?? TimeSpan.FromSeconds(4) };

    public List<TransferEvent> DrainEvents()
    {
        var list = new List<TransferEvent>();
        while (Events.Reader.TryRead(out var e))
        {
            list.Add((TransferEvent)e);
        }

        return list;
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false on timeout.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? within = null)
    {
        var until = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < until)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(10);
        }

        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
        Server.Dispose();
        Root.Dispose();
    }
}

/// <summary>A temp folder for a TFTP root, deleted on dispose.</summary>
internal sealed class TempRoot : IDisposable
{
    public TempRoot()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nf-tftp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public byte[] Write(string relative, int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        Write(relative, bytes);
        return bytes;
    }

    public void Write(string relative, byte[] bytes)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
