namespace NodeFoundry.Tests.Infrastructure;

/// <summary>What a wait on the server's timeline needs from a VM, however it was started (by the test or by a BMC).</summary>
public interface IBootingVm
{
    string Name { get; }

    VmFirmware Firmware { get; }

    /// <summary>52:54:00:… as given to QEMU.</summary>
    string MacAddress { get; }

    /// <summary>When the VM was (last) powered on or reset: the zero of its wall times.</summary>
    DateTime StartedUtc { get; }

    /// <summary>QEMU is gone (the guest powered off under -no-reboot, or it crashed).</summary>
    bool HasExited { get; }

    /// <summary>The serial console so far.</summary>
    string SerialLog { get; }

    /// <summary>QEMU's own messages, for failure reports.</summary>
    string QemuOutput { get; }
}
