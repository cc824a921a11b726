using NodeFoundry.Fleet;

namespace NodeFoundry.Tests.Fleet;

/// <summary>
/// One bad fleet file per row: the loader must name the exact field, line and column, quote the bad value in its
/// message and give a concrete fix. Files build on <see cref="Base"/> (lines 1-7) unless they replace it.
/// </summary>
public sealed class FleetErrorTableTests
{
    // Lines 1-7. Appended text starts on line 8.
    private const string Base = """
        server:
          address: 192.0.2.1
        dhcp:
          scopes:
            - subnet: 192.0.2.0/24
              range: { start: 192.0.2.100, end: 192.0.2.149 }
              pxeRange: { start: 192.0.2.150, end: 192.0.2.199 }

        """;

    private const string Profiles = """
        profiles:
          ubuntu-24.04: { os: ubuntu, kernel: u/vmlinuz, initrd: u/initrd }

        """;

    public static TheoryData<string, string, string, int, int, string?, string> Cases => new()
    {
        // name, yaml, field, line, column, value (null = none), fragment of the fix
        {
            "yaml syntax error (unclosed flow sequence)",
            "server:\n  address: 192.0.2.1\ndhcp:\n  scopes: [ { subnet: 192.0.2.0/24 }\n",
            "", 5, 1, "", "brackets"
        },
        {
            "tab used for indentation",
            "server:\n\taddress: 192.0.2.1\n",
            "", 2, 1, "address: 192.0.2.1", "spaces"
        },
        {
            "duplicate key",
            "server:\n  address: 192.0.2.1\n  address: 192.0.2.2\n",
            "", 3, 3, "address: 192.0.2.2", "once per mapping"
        },
        {
            "unknown key with a typo",
            Base.Replace("  address: 192.0.2.1", "  adress: 192.0.2.1", StringComparison.Ordinal),
            "server.adress", 2, 3, "adress", "Did you mean 'address'?"
        },
        {
            "unknown key at the top level",
            Base + "node:\n  - name: node01\n",
            "node", 8, 1, "node", "Did you mean 'nodes'?"
        },
        {
            "missing server section",
            "dhcp:\n  mode: proxy\n",
            "server", 1, 1, null, "server: { address: 192.0.2.1 }"
        },
        {
            "missing server address",
            Base.Replace("  address: 192.0.2.1", "  interface: nfbr0", StringComparison.Ordinal),
            "server.address", 2, 3, null, "address:"
        },
        {
            "server address with no value",
            Base.Replace("  address: 192.0.2.1", "  address:", StringComparison.Ordinal),
            "server.address", 2, 11, "", "address:"
        },
        {
            "bad IPv4 address",
            Base.Replace("address: 192.0.2.1", "address: 192.0.2.300", StringComparison.Ordinal),
            "server.address", 2, 12, "192.0.2.300", "such as 192.0.2.1"
        },
        {
            "IPv6 address",
            Base.Replace("address: 192.0.2.1", "address: 2001:db8::1", StringComparison.Ordinal),
            "server.address", 2, 12, "2001:db8::1", "IPv4 address"
        },
        {
            "bad subnet (host bits set)",
            Base.Replace("subnet: 192.0.2.0/24", "subnet: 192.0.2.7/24", StringComparison.Ordinal),
            "dhcp.scopes[0].subnet", 5, 15, "192.0.2.7/24", "192.0.2.0/24"
        },
        {
            "bad duration",
            Base + "    - subnet: 198.51.100.0/24\n      leaseTime: 12 hours\n",
            "dhcp.scopes[1].leaseTime", 9, 18, "12 hours", "1h30m"
        },
        {
            "zero duration",
            Base.Replace("dhcp:\n", "dhcp:\n  offerHold: 0\n", StringComparison.Ordinal),
            "dhcp.offerHold", 4, 14, "0", "positive"
        },
        {
            "bad port",
            Base.Replace("  address: 192.0.2.1\n", "  address: 192.0.2.1\n  httpPort: 70000\n", StringComparison.Ordinal),
            "server.httpPort", 3, 13, "70000", "1 to 65535"
        },
        {
            "bad enum value",
            Base.Replace("dhcp:\n", "dhcp:\n  mode: authoritive\n", StringComparison.Ordinal),
            "dhcp.mode", 4, 9, "authoritive", "Did you mean 'authoritative'?"
        },
        {
            "bad boolean",
            Base.Replace("dhcp:\n", "dhcp:\n  answerUnknownPxeClients: yes\n", StringComparison.Ordinal),
            "dhcp.answerUnknownPxeClients", 4, 28, "yes", "true or false"
        },
        {
            "range start above end",
            Base.Replace("start: 192.0.2.100, end: 192.0.2.149", "start: 192.0.2.149, end: 192.0.2.100", StringComparison.Ordinal),
            "dhcp.scopes[0].range.start", 6, 23, "192.0.2.149", "Swap them"
        },
        {
            "range outside its subnet",
            Base.Replace("end: 192.0.2.149", "end: 192.0.3.149", StringComparison.Ordinal),
            "dhcp.scopes[0].range.end", 6, 41, "192.0.3.149", "192.0.2.1 to 192.0.2.254"
        },
        {
            "pxeRange outside its subnet",
            Base.Replace("start: 192.0.2.150", "start: 192.0.1.150", StringComparison.Ordinal),
            "dhcp.scopes[0].pxeRange.start", 7, 26, "192.0.1.150", "192.0.2.1 to 192.0.2.254"
        },
        {
            "range and pxeRange overlap",
            Base.Replace("start: 192.0.2.150", "start: 192.0.2.140", StringComparison.Ordinal),
            "dhcp.scopes[0].pxeRange.start", 7, 26, "192.0.2.140", "disjoint"
        },
        {
            "ranges overlap between scopes",
            Base + "    - name: second\n      subnet: 192.0.2.128/25\n      range: { start: 192.0.2.180, end: 192.0.2.190 }\n",
            "dhcp.scopes[1].range.start", 10, 23, "192.0.2.180", "disjoint"
        },
        {
            "server address outside every scope",
            Base.Replace("address: 192.0.2.1", "address: 198.51.100.1", StringComparison.Ordinal),
            "server.address", 2, 12, "198.51.100.1", "relayAgents"
        },
        {
            "proxy mode with an address range",
            Base.Replace("dhcp:\n", "dhcp:\n  mode: proxy\n", StringComparison.Ordinal),
            "dhcp.scopes[0].range", 7, 14, null, "dhcp.mode: authoritative"
        },
        {
            "duplicate node names",
            Base + "nodes:\n  - { name: node01, mac: 52:54:00:00:00:01 }\n  - { name: NODE01, mac: 52:54:00:00:00:02 }\n",
            "nodes[1].name", 10, 13, "NODE01", "own name"
        },
        {
            "duplicate MACs in different spellings",
            Base + "nodes:\n  - { name: node01, mac: 52:54:00:00:00:01 }\n  - { name: node02, mac: 52-54-00-00-00-01 }\n",
            "nodes[1].mac", 10, 26, "52-54-00-00-00-01", "own boot NIC"
        },
        {
            "duplicate reserved IPs",
            Base + "nodes:\n  - { name: node01, mac: 52:54:00:00:00:01, address: 192.0.2.11 }\n  - { name: node02, mac: 52:54:00:00:00:02, address: 192.0.2.11 }\n",
            "nodes[1].address", 10, 54, "192.0.2.11", "different address"
        },
        {
            "bad MAC",
            Base + "nodes:\n  - name: node01\n    mac: 52:54:00:zz\n",
            "nodes[0].mac", 10, 10, "52:54:00:zz", "six hex pairs"
        },
        {
            "multicast MAC",
            Base + "nodes:\n  - name: node01\n    mac: 01:00:5e:00:00:01\n",
            "nodes[0].mac", 10, 10, "01:00:5e:00:00:01", "first byte is even"
        },
        {
            "missing MAC",
            Base + "nodes:\n  - name: node01\n    address: 192.0.2.11\n",
            "nodes[0].mac", 9, 5, null, "mac:"
        },
        {
            "bad UUID",
            Base + "nodes:\n  - name: node01\n    mac: 52:54:00:00:00:01\n    uuid: 1234-abcd\n",
            "nodes[0].uuid", 11, 11, "1234-abcd", "dmidecode"
        },
        {
            "reservation outside every scope subnet",
            Base + "nodes:\n  - name: node01\n    mac: 52:54:00:00:00:01\n    address: 198.51.100.11\n",
            "nodes[0].address", 11, 14, "198.51.100.11", "inside a scope's subnet"
        },
        {
            "reservation inside the dynamic range",
            Base + "nodes:\n  - name: node01\n    mac: 52:54:00:00:00:01\n    address: 192.0.2.120\n",
            "nodes[0].address", 11, 14, "192.0.2.120", "outside 192.0.2.100-192.0.2.149 and 192.0.2.150-192.0.2.199"
        },
        {
            "reservation inside the PXE range",
            Base + "nodes:\n  - name: node01\n    mac: 52:54:00:00:00:01\n    address: 192.0.2.150\n",
            "nodes[0].address", 11, 14, "192.0.2.150", "shrink the pxeRange"
        },
        {
            "node profile not defined",
            Base + Profiles + "nodes:\n  - name: node01\n    mac: 52:54:00:00:00:01\n    profile: ubuntu-24.4\n",
            "nodes[0].profile", 13, 14, "ubuntu-24.4", "Did you mean 'ubuntu-24.04'?"
        },
        {
            "loader override empty",
            Base + "nodes:\n  - name: node01\n    mac: 52:54:00:00:00:01\n    boot:\n      loader: \"\"\n",
            "nodes[0].boot.loader", 12, 15, "", "ipxe.efi"
        },
        {
            "HTTP Boot loader that is not a URL",
            Base + "boot:\n  loaders:\n    efi-x64-http: ipxe.efi\n",
            "boot.loaders.efi-x64-http", 10, 19, "ipxe.efi", "{http}ipxe.efi"
        },
        {
            "unknown firmware kind",
            Base + "boot:\n  loaders:\n    efi-x86: ipxe.efi\n",
            "boot.loaders.efi-x86", 10, 5, "efi-x86", "Did you mean 'efi-x64'?"
        },
        {
            "unknown placeholder",
            Base + "boot:\n  ipxeScriptUrl: \"{http}boot/{macaddr}.ipxe\"\n",
            "boot.ipxeScriptUrl", 9, 18, "{http}boot/{macaddr}.ipxe", "{mac}"
        },
        {
            "password in the fleet file",
            Base + "nodes:\n  - name: node01\n    mac: 52:54:00:00:00:01\n    bmc:\n      address: 192.0.2.21\n      password: hunter2\n",
            "nodes[0].bmc.password", 13, 7, "password", "credential: lab-bmc"
        },
        {
            "profile without kernel",
            Base + "profiles:\n  rhel-9:\n    os: rhel\n    initrd: rhel-9/initrd.img\n",
            "profiles.rhel-9.kernel", 10, 5, null, "kernel:"
        },
        {
            "bad profile os",
            Base + "profiles:\n  rhel-9: { os: redhat, kernel: k, initrd: i }\n",
            "profiles.rhel-9.os", 9, 17, "redhat", "ubuntu, rhel, debian, custom"
        },
        {
            "nodes is not a list",
            Base + "nodes:\n  name: node01\n",
            "nodes", 9, 3, null, "'- '"
        },
        {
            "empty file",
            "# nothing here yet\n",
            "", 1, 1, null, "examples/lab.yaml"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_field_line_column_value_and_fix(string name, string yaml, string field, int line, int column, string? value, string fix)
    {
        FleetLoadResult result = FleetLoader.Parse(yaml, "bad.yaml");

        Assert.False(result.IsValid, name);
        Assert.Null(result.Fleet);
        FleetError? error = result.Errors.FirstOrDefault(e => e.Field == field);
        Assert.True(error is not null, $"{name}: no error for '{field}'. Got:{Environment.NewLine}{string.Join(Environment.NewLine, result.Errors)}");
        Assert.Equal("bad.yaml", error.File);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal(value, error.Value);
        if (!string.IsNullOrEmpty(value))
        {
            Assert.Contains(value, error.Message, StringComparison.Ordinal);
        }

        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
        Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
        string expectedPrefix = field.Length == 0 ? $"bad.yaml:{line}:{column}: " : $"bad.yaml:{line}:{column}: {field}: ";
        Assert.StartsWith(expectedPrefix, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(" Fix: " + error.Fix, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_base_file_of_the_table_is_itself_valid()
    {
        FleetLoadResult result = FleetLoader.Parse(Base + Profiles, "base.yaml");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
    }
}
