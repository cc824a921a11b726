using System.Globalization;
using System.Text;
using NodeFoundry.Simulation;

namespace NodeFoundry.Host;

/// <summary>A storm report as the terminal shows it: the headline, stage latencies, failures by stage and cause.</summary>
internal static class StormReportText
{
    public static string Format(StormReport report, string? impairment)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"nodefoundry storm: {report.Booted}/{report.Nodes} booted, {report.Failed} failed, in {report.Duration.TotalSeconds:F2} s");
        text.AppendLine(c, $"  bytes {report.BytesMoved:N0} (NBP {report.NbpBytes:N0}, HTTP {report.HttpBytes:N0}); at 1 Gbit/s that is {report.LinkLimit(1e9).TotalSeconds:F2} s of link time");
        text.AppendLine(c, $"  DHCP sent {report.DhcpSent:N0}, retransmitted {report.DhcpRetransmits:N0}, unmatched replies {report.DhcpUnmatchedReplies:N0}; TFTP duplicate blocks {report.TftpDuplicateBlocks:N0}");
        text.AppendLine(c, $"  simulator's own timers (stall detector): {report.ClientLateness}; TFTP late reads {report.TftpLateReads:N0}");
        if (impairment is not null)
        {
            text.AppendLine(c, $"  {impairment}");
        }

        text.AppendLine("  stage        done       p50       p95       p99       max");
        foreach (var stage in report.Stages)
        {
            text.AppendLine(c, $"  {stage.Stage,-9} {stage.Completed,7} {Ms(stage.P50),9} {Ms(stage.P95),9} {Ms(stage.P99),9} {Ms(stage.Max),9}");
        }

        foreach (var failure in report.Failures)
        {
            text.AppendLine(c, $"  failed at {failure.Stage} ({failure.Cause}) × {failure.Count}, e.g. {failure.Example}");
        }

        return text.ToString().TrimEnd();
    }

    private static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:F0} ms");
}
