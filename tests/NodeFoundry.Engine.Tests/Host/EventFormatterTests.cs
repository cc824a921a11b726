using System.Net;
using NodeFoundry.Dhcp;
using NodeFoundry.Events;
using NodeFoundry.Host;
using NodeFoundry.Http;
using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Host;

/// <summary>
/// What <c>serve --quiet</c> keeps: failures, refusals, HTTP errors, store changes and the rare events an operator
/// waits for; not the routine line per lease, transfer and request.
/// </summary>
public sealed class EventFormatterTests
{
    public static TheoryData<BootEvent, bool> Events() => new()
    {
        { new LeaseEvent { Kind = LeaseEventKind.Offered }, false },
        { new LeaseEvent { Kind = LeaseEventKind.Granted }, false },
        { new LeaseEvent { Kind = LeaseEventKind.Refused }, true },
        { new LeaseEvent { Kind = LeaseEventKind.Declined }, true },
        { new LeaseStoreEvent { Kind = LeaseStoreEventKind.Unavailable, Store = "journal" }, true },
        { new TransferEvent { Kind = TransferEventKind.Queued, Client = Client }, false },
        { new TransferEvent { Kind = TransferEventKind.Completed, Client = Client }, false },
        { new TransferEvent { Kind = TransferEventKind.Failed, Client = Client }, true },
        { new TransferEvent { Kind = TransferEventKind.Refused, Client = Client }, true },
        { new HttpRequestEvent { Method = "GET", Path = "/boot.ipxe", StatusCode = 200 }, false },
        { new HttpRequestEvent { Method = "GET", Path = "/vmlinuz", StatusCode = 206 }, false },
        { new HttpRequestEvent { Method = "GET", Path = "/nope", StatusCode = 404 }, true },
        { new HttpRequestEvent { Method = "GET", Path = "/vmlinuz", StatusCode = 500 }, true },
        { new PhoneHomeEvent { NodeName = "node-01" }, true },
    };

    private static IPEndPoint Client => new(IPAddress.Parse("192.0.2.10"), 2070);

    [Theory]
    [MemberData(nameof(Events))]
    public void Quiet_serving_prints_what_needs_attention_only(BootEvent bootEvent, bool printed)
    {
        Assert.Equal(printed, EventFormatter.NeedsAttention(bootEvent));
    }
}
