using System.Net;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Tftp;

/// <summary>
/// The transfer loop's priority: the result handling through the system-call seam (so EPERM is tested without
/// dropping root), and the real call on the real loop thread where the test runs on Linux.
/// </summary>
public sealed class TftpLoopPriorityTests
{
    [Fact]
    public void Not_permitted_is_a_notice_not_an_error()
    {
        var priority = TftpLoopPriority.ApplyToCurrentThread(-5, _ => 1 /* EPERM */);
        Assert.Equal(TftpLoopPriorityOutcome.NotPermitted, priority.Outcome);
        Assert.Equal(0, priority.Nice);
        Assert.Contains("CAP_SYS_NICE", priority.Message, StringComparison.Ordinal);
        Assert.Contains("tftp.loopNice", priority.Message, StringComparison.Ordinal);

        var counters = new TftpServerCounters();
        counters.SetLoopPriority(priority);
        Assert.Equal(1, counters.LoopPriorityRefused);
        Assert.Equal(0, counters.LoopNice);
    }

    [Fact]
    public void Eacces_counts_as_not_permitted() =>
        Assert.Equal(TftpLoopPriorityOutcome.NotPermitted, TftpLoopPriority.ApplyToCurrentThread(-5, _ => 13).Outcome);

    [Fact]
    public void Zero_leaves_the_thread_alone_without_a_call()
    {
        var calls = 0;
        var priority = TftpLoopPriority.ApplyToCurrentThread(0, _ => ++calls);
        Assert.Equal(TftpLoopPriorityOutcome.NotRequested, priority.Outcome);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Success_reports_the_nice_value()
    {
        var asked = 0;
        var priority = TftpLoopPriority.ApplyToCurrentThread(-7, n => { asked = n; return 0; });
        Assert.Equal(TftpLoopPriorityOutcome.Raised, priority.Outcome);
        Assert.Equal(-7, priority.Nice);
        Assert.Equal(-7, asked);
        var counters = new TftpServerCounters();
        counters.SetLoopPriority(priority);
        Assert.Equal(-7, counters.LoopNice);
        Assert.Equal(0, counters.LoopPriorityRefused);
    }

    [Theory]
    [InlineData(-1, TftpLoopPriorityOutcome.Unsupported)]
    [InlineData(22, TftpLoopPriorityOutcome.Failed)]
    public void Other_failures_run_at_the_default_priority(int errno, TftpLoopPriorityOutcome outcome)
    {
        var priority = TftpLoopPriority.ApplyToCurrentThread(-5, _ => errno);
        Assert.Equal(outcome, priority.Outcome);
        Assert.Equal(0, priority.Nice);
    }

    [Fact]
    public void No_per_thread_nice_on_this_os_is_unsupported() =>
        Assert.Equal(TftpLoopPriorityOutcome.Unsupported, TftpLoopPriority.ApplyToCurrentThread(-5, null).Outcome);

    [Fact]
    public void Out_of_range_nice_is_rejected_by_name() =>
        Assert.Contains("LoopNice", Assert.Throws<ArgumentException>(() => new TftpServer(new TftpServerOptions { LoopNice = 5 })).Message, StringComparison.Ordinal);

    [Fact]
    public async Task The_named_loop_thread_and_only_it_gets_the_nice_value_where_permitted()
    {
        await using var host = await LoopbackTftpServer.StartAsync(o => o with { LoopNice = -3 });
        Assert.True(await LoopbackTftpServer.EventuallyAsync(() => host.Server.LoopPriority.Outcome != TftpLoopPriorityOutcome.NotRequested));
        var priority = host.Server.LoopPriority;
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal(TftpLoopPriorityOutcome.Unsupported, priority.Outcome);
            return;
        }

        // Root or CAP_SYS_NICE: raised; otherwise the EPERM notice. Either way the server serves.
        Assert.True(priority.Outcome is TftpLoopPriorityOutcome.Raised or TftpLoopPriorityOutcome.NotPermitted, priority.Message);
        var threads = Threads();
        Assert.Contains(threads, t => t.Name == "nf-tftp-loop" && t.Nice == priority.Nice);

        // Only that thread: every other thread of the process keeps the default.
        var raised = threads.Where(t => t.Name != "nf-tftp-loop" && t.Nice != 0).Select(t => $"{t.Name} at {t.Nice}").ToList();
        Assert.True(raised.Count == 0, "other threads with a nice value: " + string.Join(", ", raised));

        var bytes = host.Root.Write("nbp", 2000);
        using var client = host.Client();
        Assert.Equal(bytes, await client.DownloadAsync("nbp", 512));
    }

    [Fact]
    public void Threads_the_raised_thread_creates_start_at_the_default_priority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The runtime may create a thread-pool worker from the loop thread; it must not inherit the loop's nice.
        TftpLoopPriority? priority = null;
        int? own = null;
        int? child = null;
        var raised = new Thread(() =>
        {
            priority = TftpLoopPriority.ApplyToCurrentThread(-2);
            own = NiceOf("/proc/thread-self/stat");
            var created = new Thread(() => child = NiceOf("/proc/thread-self/stat"));
            created.Start();
            created.Join(TimeSpan.FromSeconds(10));
        });
        raised.Start();
        Assert.True(raised.Join(TimeSpan.FromSeconds(10)));
        if (priority!.Outcome != TftpLoopPriorityOutcome.Raised)
        {
            // Not root and no CAP_SYS_NICE: nothing was raised, nothing can leak.
            Assert.Equal(TftpLoopPriorityOutcome.NotPermitted, priority.Outcome);
            return;
        }

        Assert.Equal(-2, own);
        Assert.Equal(0, child);
    }

    private static int NiceOf(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Name and nice value (field 19 of stat) of this process's threads; threads that exit while read are left out.</summary>
    private static List<(string Name, int Nice)> Threads()
    {
        var threads = new List<(string, int)>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                threads.Add((name, NiceOf(Path.Combine(task, "stat"))));
            }
            catch (IOException)
            {
                // The thread exited between the listing and the read.
            }
        }

        return threads;
    }
}
