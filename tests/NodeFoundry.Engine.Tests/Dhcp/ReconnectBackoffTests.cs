using NodeFoundry.Storage;
using NodeFoundry.Tests.Dhcp.Leases;

namespace NodeFoundry.Tests.Dhcp;

/// <summary>How often the DHCP loop may try an unreachable lease store again.</summary>
public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Failures_space_the_tries_doubling_up_to_the_cap_and_a_success_resets()
    {
        var time = new FakeTimeProvider();
        var backoff = new ReconnectBackoff(time) { FirstDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(1) };
        Assert.True(backoff.MayTry());

        var waits = new List<int>();
        for (var failure = 0; failure < 5; failure++)
        {
            backoff.Failed();
            var waited = 0;
            while (!backoff.MayTry() && waited < 10_000)
            {
                time.Advance(TimeSpan.FromMilliseconds(50));
                waited += 50;
            }

            waits.Add(waited);
        }

        Assert.Equal([250, 500, 1000, 1000, 1000], waits);
        backoff.Succeeded();
        Assert.False(backoff.IsFailing);
        backoff.Failed();
        Assert.False(backoff.MayTry());
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(backoff.MayTry());
    }
}
