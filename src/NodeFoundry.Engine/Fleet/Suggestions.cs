namespace NodeFoundry.Fleet;

/// <summary>"Did you mean …?" for misspelt keys and names.</summary>
internal static class Suggestions
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["macAddress"] = "mac",
        ["hwaddr"] = "mac",
        ["ip"] = "address",
        ["ipAddress"] = "address",
        ["dns"] = "dnsServers",
        ["nameservers"] = "dnsServers",
        ["gateway"] = "router",
        ["routers"] = "router",
        ["domain"] = "domainName",
        ["lease"] = "leaseTime",
        ["relays"] = "relayAgents",
        ["giaddr"] = "relayAgents",
        ["iface"] = "interface",
        ["nic"] = "interface",
        ["host"] = "hostName",
        ["vmlinuz"] = "kernel",
        ["initramfs"] = "initrd",
        ["append"] = "cmdline",
        ["kernelArgs"] = "cmdline",
        ["ipmi"] = "bmc",
        ["pool"] = "range",
    };

    /// <summary>The candidate <paramref name="input"/> most likely meant, or null when none is close.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        List<string> list = candidates.ToList();
        if (Aliases.TryGetValue(input, out string? alias) && list.Contains(alias, StringComparer.Ordinal))
        {
            return alias;
        }

        int threshold = input.Length <= 3 ? 1 : input.Length <= 6 ? 2 : 3;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in list)
        {
            int distance = Distance(input.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return bestDistance <= threshold ? best : null;
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                }

                d[i, j] = value;
            }
        }

        return d[a.Length, b.Length];
    }
}
