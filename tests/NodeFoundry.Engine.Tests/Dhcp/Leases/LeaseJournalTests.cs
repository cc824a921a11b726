using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using NodeFoundry.Dhcp.Leases;
using static NodeFoundry.Tests.Dhcp.Leases.LeaseTestData;

namespace NodeFoundry.Tests.Dhcp.Leases;

public sealed class LeaseJournalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<LeaseRecord> Records(int count) => [.. Enumerable.Range(1, count).Select(i => Record(i, (LeaseRecordKind)(1 + (i % 3))))];

    private string WriteJournal(string name, IEnumerable<LeaseRecord> records, out List<long> offsets)
    {
        string path = _dir.File(name);
        offsets = [];
        using LeaseJournal journal = LeaseJournal.Open(path, out IReadOnlyList<LeaseRecord> replayed);
        Assert.Empty(replayed);
        foreach (LeaseRecord record in records)
        {
            offsets.Add(journal.Length);
            journal.Append(record);
        }

        journal.Flush();
        offsets.Add(journal.Length);
        return path;
    }

    private static IReadOnlyList<LeaseRecord> Replay(string path, out LeaseJournal journal)
    {
        journal = LeaseJournal.Open(path, out IReadOnlyList<LeaseRecord> replayed);
        return replayed;
    }

    [Fact]
    public void Round_trip_preserves_every_field()
    {
        var records = new List<LeaseRecord>
        {
            Record(1),
            Record(2, LeaseRecordKind.Released, "ünïcødé-主机-🚀"),
            Record(3, LeaseRecordKind.Declined),
            new(LeaseRecordKind.Bound, new PhysicalAddress(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray()), Ip("10.1.2.3"), DateTimeOffset.MinValue, DateTimeOffset.MaxValue, "ipoib", new string('h', 255)),
            new(LeaseRecordKind.Bound, PhysicalAddress.None, Ip("2001:db8::1"), new DateTimeOffset(2025, 5, 5, 5, 5, 5, TimeSpan.FromHours(2)), DateTimeOffset.UnixEpoch, "v6", ""),
        };
        string path = _dir.File("sub/dir/leases.journal"); // directories are created
        using (LeaseJournal journal = LeaseJournal.Open(path, out _))
        {
            foreach (LeaseRecord record in records)
            {
                journal.Append(record);
            }

            journal.Flush();
            Assert.Equal(records.Count, journal.RecordCount);
            Assert.Equal(1, journal.FlushCount);
            journal.Flush(); // nothing new: no fsync
            Assert.Equal(1, journal.FlushCount);
            Assert.Equal(new FileInfo(path).Length, journal.Length);
        }

        IReadOnlyList<LeaseRecord> replayed = Replay(path, out LeaseJournal reopened);
        using (reopened)
        {
            Assert.Equal(records, replayed);
            Assert.Equal(0, reopened.CorruptRecordsSkipped);
            Assert.Equal(0, reopened.TruncatedBytes);
            Assert.Equal(TimeSpan.Zero, replayed[4].GrantedAt.Offset); // stored as UTC
        }
    }

    [Fact]
    public void Torn_tail_at_every_byte_of_the_last_record_replays_the_rest()
    {
        List<LeaseRecord> records = Records(5);
        string path = WriteJournal("torn.journal", records, out List<long> offsets);
        byte[] full = File.ReadAllBytes(path);
        long lastStart = offsets[^2];

        for (long cut = lastStart; cut < full.Length; cut++)
        {
            string copy = _dir.File($"torn-{cut}.journal");
            File.WriteAllBytes(copy, full.AsSpan(0, (int)cut).ToArray());
            IReadOnlyList<LeaseRecord> replayed = Replay(copy, out LeaseJournal journal);
            using (journal)
            {
                Assert.Equal(records.Take(4), replayed);
                Assert.Equal(0, journal.CorruptRecordsSkipped);
                Assert.Equal(cut - lastStart, journal.TruncatedBytes);
                Assert.Equal(lastStart, new FileInfo(copy).Length); // the torn bytes are gone

                journal.Append(records[4]);
                journal.Flush();
            }

            Assert.Equal(records, Replay(copy, out LeaseJournal again));
            again.Dispose();
        }
    }

    [Fact]
    public void Torn_header_yields_an_empty_journal()
    {
        for (int cut = 0; cut < LeaseJournalFormat.HeaderSize; cut++)
        {
            string path = _dir.File($"header-{cut}.journal");
            File.WriteAllBytes(path, "NFLJ\u0001\0\0\0"u8[..cut].ToArray());
            Assert.Empty(Replay(path, out LeaseJournal journal));
            using (journal)
            {
                journal.Append(Record(1));
                journal.Flush();
            }

            Assert.Equal([Record(1)], Replay(path, out LeaseJournal again));
            again.Dispose();
        }
    }

    [Fact]
    public void Corrupted_byte_in_a_middle_record_skips_only_that_record()
    {
        List<LeaseRecord> records = Records(7);
        string path = WriteJournal("corrupt.journal", records, out List<long> offsets);
        byte[] full = File.ReadAllBytes(path);
        const int victim = 3;

        for (long at = offsets[victim]; at < offsets[victim + 1]; at++)
        {
            byte[] damaged = (byte[])full.Clone();
            damaged[at] ^= 0x5A;
            string copy = _dir.File($"corrupt-{at}.journal");
            File.WriteAllBytes(copy, damaged);
            IReadOnlyList<LeaseRecord> replayed = Replay(copy, out LeaseJournal journal);
            using (journal)
            {
                Assert.Equal(records.Where((_, i) => i != victim), replayed);
                Assert.Equal(1, journal.CorruptRecordsSkipped);
                Assert.Equal(0, journal.TruncatedBytes);
            }
        }
    }

    [Fact]
    public void Unknown_record_version_is_refused_rather_than_dropped()
    {
        string path = WriteJournal("future.journal", Records(2), out List<long> offsets);
        byte[] data = File.ReadAllBytes(path);
        int start = (int)offsets[1];
        int bodyLength = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(start + 2));
        data[start + 4] = 2; // record version
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(start + 4 + bodyLength), Crc32C.Compute(data.AsSpan(start, 4 + bodyLength)));
        File.WriteAllBytes(path, data);

        Assert.Throws<NotSupportedException>(() => LeaseJournal.Open(path, out _));
        Assert.Throws<NotSupportedException>(() => LeaseJournal.ReadLeases(path));
        Assert.Equal(data, File.ReadAllBytes(path));
    }

    [Fact]
    public void Foreign_file_is_never_overwritten()
    {
        string path = _dir.File("leases.txt");
        File.WriteAllText(path, "lease 10.0.0.1 { starts ...");
        Assert.Throws<InvalidDataException>(() => LeaseJournal.Open(path, out _));
        Assert.Equal("lease 10.0.0.1 { starts ...", File.ReadAllText(path));
    }

    [Fact]
    public void Second_writer_is_locked_out()
    {
        string path = _dir.File("locked.journal");
        using (LeaseJournal.Open(path, out _))
        {
            Assert.Throws<IOException>(() => LeaseJournal.Open(path, out _));
        }

        using LeaseJournal reopened = LeaseJournal.Open(path, out _);
    }

    [Fact]
    public void Flushed_records_survive_a_kill_and_unflushed_ones_never_corrupt_them()
    {
        // SIGKILL right after an fsync: the file as it is on disk at that moment is what the next start sees.
        foreach (int bufferSize in new[] { 64 * 1024, 16, 1 })
        {
            string path = _dir.File($"crash-{bufferSize}.journal");
            List<LeaseRecord> records = Records(200);
            var flushed = new List<LeaseRecord>();
            var options = new LeaseJournalOptions { BufferSize = bufferSize };
            using (LeaseJournal journal = LeaseJournal.Open(path, out _, options))
            {
                for (int i = 0; i < 150; i++)
                {
                    journal.Append(records[i]);
                    if (i % 64 == 63)
                    {
                        journal.Flush();
                        flushed = records.Take(i + 1).ToList();
                        CheckCrashImage(path, flushed, records);
                    }
                }

                // Batch appended but not flushed (no ACK sent yet), part of it maybe already written: crash now.
                CheckCrashImage(path, flushed, records);
            }
        }
    }

    private void CheckCrashImage(string path, List<LeaseRecord> flushed, List<LeaseRecord> appended)
    {
        string image = _dir.File("image-" + Guid.NewGuid().ToString("N"));
        using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (FileStream target = File.Create(image))
        {
            source.CopyTo(target);
        }

        IReadOnlyList<LeaseRecord> replayed = Replay(image, out LeaseJournal journal);
        journal.Dispose();
        Assert.True(replayed.Count >= flushed.Count);
        Assert.Equal(appended.Take(replayed.Count), replayed); // a prefix: every ACKed record, then possibly some unACKed ones
    }

    [Fact]
    public void Compaction_rewrites_atomically_and_appending_continues()
    {
        string path = _dir.File("compact.journal");
        List<LeaseRecord> records = Records(100);
        using (LeaseJournal journal = LeaseJournal.Open(path, out _))
        {
            foreach (LeaseRecord record in records)
            {
                journal.Append(record);
            }

            journal.Flush();
            long before = journal.Length;
            journal.Compact(records.Take(10));
            Assert.Equal(10, journal.RecordCount);
            Assert.True(journal.Length < before / 5);
            Assert.Equal(new FileInfo(path).Length, journal.Length);
            Assert.False(File.Exists(path + ".compact"));
            journal.Append(records[50]);
            journal.Flush();
        }

        Assert.Equal(records.Take(10).Append(records[50]), Replay(path, out LeaseJournal reopened));
        reopened.Dispose();
    }

    [Fact]
    public void Leftover_compaction_temp_file_is_ignored()
    {
        string path = WriteJournal("left.journal", Records(3), out _);
        File.WriteAllBytes(path + ".compact", [1, 2, 3]);
        Assert.Equal(Records(3), Replay(path, out LeaseJournal journal));
        journal.Dispose();
        Assert.False(File.Exists(path + ".compact"));
    }

    [Fact]
    public void ReadLeases_gives_latest_state_per_mac_and_never_modifies_the_file()
    {
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        LeaseRecord Bound(int mac, string ip, int minute) => new(LeaseRecordKind.Bound, Mac(mac), Ip(ip), t0.AddMinutes(minute), t0.AddMinutes(minute + 60), "pxe", null);
        var records = new List<LeaseRecord>
        {
            Bound(1, "10.0.0.1", 0),
            Bound(2, "10.0.0.2", 1),
            Bound(1, "10.0.0.1", 30), // renewal
            Bound(3, "10.0.0.3", 2),
            new(LeaseRecordKind.Released, Mac(3), Ip("10.0.0.3"), t0.AddMinutes(2), t0.AddMinutes(40), "pxe", null),
            Bound(2, "10.0.0.9", 50), // moved
            new(LeaseRecordKind.Declined, Mac(4), Ip("10.0.0.4"), t0.AddMinutes(3), t0.AddMinutes(13), "pxe", null),
        };
        string path = WriteJournal("read.journal", records, out List<long> offsets);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write([0xD1, 0x7E, 0x40]); // a torn record at the end
        }

        byte[] before = File.ReadAllBytes(path);
        DateTime written = File.GetLastWriteTimeUtc(path);

        IReadOnlyList<Lease> leases = LeaseJournal.ReadLeases(path);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(
            [
                new Lease(Mac(1), Ip("10.0.0.1"), t0.AddMinutes(30), t0.AddMinutes(90), "pxe", null, LeaseState.Bound),
                new Lease(Mac(3), Ip("10.0.0.3"), t0.AddMinutes(2), t0.AddMinutes(40), "pxe", null, LeaseState.Released),
                new Lease(Mac(4), Ip("10.0.0.4"), t0.AddMinutes(3), t0.AddMinutes(13), "pxe", null, LeaseState.Declined),
                new Lease(Mac(2), Ip("10.0.0.9"), t0.AddMinutes(50), t0.AddMinutes(110), "pxe", null, LeaseState.Bound),
            ],
            leases);
        Assert.Empty(LeaseJournal.ReadLeases(_dir.File("absent.journal")));
        Assert.False(File.Exists(_dir.File("absent.journal")));
    }

    [Fact]
    public void InMemory_journal_tracks_what_is_durable()
    {
        using var journal = new InMemoryLeaseJournal();
        journal.Append(Record(1));
        Assert.Empty(journal.DurableRecords);
        journal.Flush();
        journal.Append(Record(2));
        Assert.Equal([Record(1)], journal.DurableRecords);
        Assert.Equal([Record(1), Record(2)], journal.Records);
        journal.Compact([Record(2)]);
        Assert.Equal([Record(2)], journal.DurableRecords);
    }

    [Fact]
    public void Append_after_dispose_throws()
    {
        LeaseJournal journal = LeaseJournal.Open(_dir.File("disposed.journal"), out _);
        journal.Dispose();
        Assert.Throws<ObjectDisposedException>(() => journal.Append(Record(1)));
        Assert.Throws<ObjectDisposedException>(() => journal.Flush());
    }
}
