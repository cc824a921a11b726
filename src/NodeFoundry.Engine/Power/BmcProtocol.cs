namespace NodeFoundry.Power;

/// <summary>How NodeFoundry talks to a BMC.</summary>
public enum BmcProtocol
{
    /// <summary>IPMI v2.0 over LAN (RMCP+, <c>ipmitool -I lanplus</c>), UDP 623.</summary>
    Ipmi,

    /// <summary>DMTF Redfish over HTTPS (or HTTP for lab BMCs).</summary>
    Redfish,
}
