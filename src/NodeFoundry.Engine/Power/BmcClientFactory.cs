using NodeFoundry.Power.Ipmi;
using NodeFoundry.Power.Redfish;

namespace NodeFoundry.Power;

/// <summary>Opens the right client for a BMC's protocol; its <see cref="ConnectAsync"/> is the orchestrator's connector.</summary>
public sealed class BmcClientFactory
{
    /// <summary>Options for IPMI BMCs (cipher policy, privilege, retries); defaults when null.</summary>
    public IpmiConnectOptions? Ipmi { get; init; }

    /// <summary>Options for Redfish BMCs; defaults when null.</summary>
    public RedfishConnectOptions? Redfish { get; init; }

    /// <summary>Connects and logs in.</summary>
    public async Task<IBmcClient> ConnectAsync(BmcEndpoint endpoint, BmcCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        switch (endpoint.Protocol)
        {
            case BmcProtocol.Redfish:
                return await RedfishBmcClient.ConnectAsync(endpoint, credential, Redfish, cancellationToken).ConfigureAwait(false);

            case BmcProtocol.Ipmi:
                return await IpmiBmcClient.ConnectAsync(endpoint, credential, Ipmi, cancellationToken).ConfigureAwait(false);

            default:
                throw new BmcException(endpoint, BmcFailure.Unsupported, $"unknown BMC protocol {endpoint.Protocol}");
        }
    }
}
