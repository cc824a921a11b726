using NodeFoundry.Power.Redfish;

namespace NodeFoundry.Power;

/// <summary>Opens the right client for a BMC's protocol; its <see cref="ConnectAsync"/> is the orchestrator's connector.</summary>
public sealed class BmcClientFactory
{
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
                // MERGE (feat/ipmi): the one place IPMI is wired in. Replace this throw with
                //   return await IpmiBmcClient.ConnectAsync(endpoint, credential, Ipmi, cancellationToken).ConfigureAwait(false);
                // and add `public IpmiConnectOptions? Ipmi { get; init; }` next to Redfish above.
                throw new BmcException(endpoint, BmcFailure.Unsupported, "IPMI client not included in this build");

            default:
                throw new BmcException(endpoint, BmcFailure.Unsupported, $"unknown BMC protocol {endpoint.Protocol}");
        }
    }
}
