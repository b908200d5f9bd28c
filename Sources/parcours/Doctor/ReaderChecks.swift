import Foundation
import PCSC
import ReaderService
import StoreCore
import StoreService

/// `pcscd`, `readers`, one `device …` line per enrolled device, and per reader its owner (`reader …`) and a test read
/// (`read …`). Every PC/SC call goes through ``CardAccess``, on a thread of its own, in shared mode: the running
/// service keeps its readers.
enum ReaderChecks {
    static func run(settings: DoctorSettings, store: StoreFileInspection.Contents?, limit: Duration) async -> [DoctorCheck] {
        let access = CardAccess(name: "doctor")
        let readers: [ReaderSnapshot]
        switch await withDeadline(limit, { try await access.snapshot() }) {
        case .timedOut(let limit):
            return [.fail("pcscd", "no answer from pcscd within \(limit.doctorText): it is hung",
                          fix: "restart it: systemctl restart pcscd.socket pcscd.service (then parcours-store); a reader's driver may be stuck, unplug and replug the readers"),
                    .skip("readers", because: "pcscd did not answer", fix: "fix the pcscd check first")]
        case .error(let error):
            return [.fail("pcscd", "pcscd is not reachable: \(error)",
                          fix: "start it: systemctl start pcscd.socket (on a development machine: hardware/rig/pcscd-rig start); the service's user must be allowed on its socket (group parcours), and PCSCLITE_CSOCK_NAME must not point elsewhere"),
                    .skip("readers", because: "pcscd is not reachable", fix: "fix the pcscd check first")]
        case .value(let snapshot):
            readers = snapshot
        }
        var checks: [DoctorCheck] = [.ok("pcscd", "answers (SCardEstablishContext, SCardListReaders)")]
        if readers.isEmpty {
            checks.append(.fail("readers", "pcscd offers no reader",
                                fix: "plug the readers in (lsusb lists them), check that libccid supports them and pcscd sees them (journalctl -u pcscd), then parcours readers --once"))
        } else {
            checks.append(.ok("readers", "\(readers.count): \(readers.map(\.name).joined(separator: ", "))"))
        }
        checks += bindings(settings: settings, store: store, present: readers.map(\.name))
        for reader in readers {
            checks.append(await read(reader, access: access, identification: settings.identification, limit: limit))
        }
        return checks
    }

    /// Who owns which reader once `parcours serve` has applied `devices` from its settings: a device the settings
    /// name takes the reader they give, every other device keeps the one it was enrolled with.
    private static func bindings(settings: DoctorSettings, store: StoreFileInspection.Contents?, present: [String]) -> [DoctorCheck] {
        guard let store else {
            return [.skip("bindings", because: "the store database cannot be read, so neither can its devices", fix: "fix the database check first")]
        }
        guard let configuration = settings.service else {
            return [.skip("bindings", because: "the settings did not load, so their devices list is unknown", fix: "fix the config check first")]
        }
        let file = settings.serviceConfigPath ?? "the settings file"
        var checks: [DoctorCheck] = []
        var owner: [String: String] = [:]
        var devices = store.activeDevices
        for (index, entry) in configuration.deviceReaders.enumerated() {
            let named = devices.indices.filter { devices[$0].name == entry.name }
            guard named.count == 1, let position = named.first else {
                let problem = named.isEmpty ? "no enrolled device has that name" : "\(named.count) enrolled devices have that name"
                checks.append(.fail("device \(entry.name)", "devices[\(index)] of \(file) names it, but \(problem)",
                                    fix: "parcours device list shows the enrolled names: correct devices[\(index)].name, or enrol it (parcours device add); parcours serve refuses to start until then"))
                continue
            }
            for other in devices.indices where devices[other].boundReader == entry.reader && other != position
                && !configuration.deviceReaders.contains(where: { $0.name == devices[other].name }) {
                devices[other].boundReader = nil
            }
            devices[position].boundReader = entry.reader
        }
        for device in devices {
            guard let reader = device.boundReader else {
                checks.append(.ok("device \(device.name)", "\(device.kind) with no reader (no taps reach it)"))
                continue
            }
            owner[reader] = device.name
            if present.contains(reader) {
                checks.append(.ok("device \(device.name)", "\(device.kind) on reader \(reader)"))
            } else {
                let offered = present.isEmpty ? "pcscd offers none" : "pcscd offers \(present.joined(separator: ", "))"
                checks.append(.fail("device \(device.name)", "\(device.kind) bound to reader \(reader), which is not present (\(offered))",
                                    fix: "plug that reader in, or bind the device to a present reader in devices of \(file) (names as parcours readers --once prints them), then systemctl restart parcours-store"))
            }
        }
        for reader in present {
            if let name = owner[reader] {
                checks.append(.ok("reader \(reader)", "owned by \(name)"))
            } else {
                checks.append(.warn("reader \(reader)", "no device is bound to it: its taps are identified but reach no kiosk or till",
                                    fix: "bind it: add {\"name\": \"<device>\", \"reader\": \"\(reader)\"} to devices in \(file), then systemctl restart parcours-store (or unplug the reader if it is a spare)"))
            }
        }
        return checks
    }

    /// A test read of the card lying on `reader`, through the same identification the service runs.
    private static func read(_ reader: ReaderSnapshot, access: CardAccess, identification: DoctorSettings.IdentificationDoctoring?,
                             limit: Duration) async -> DoctorCheck {
        let check = "read \(reader.name)"
        guard reader.isCardPresent else { return .ok(check, "no card present") }
        guard let identification else {
            return .skip(check, because: "a card is present, but the identification settings did not load", fix: "fix the identification check first")
        }
        if reader.isMute {
            return .warn(check, "a card is present but does not answer (mute), ATR \(reader.atr.hexString)",
                         fix: "take the card off the reader and put it back; if every card is mute, replug the reader")
        }
        let identifier = identification.identifier
        let outcome = await withDeadline(limit) { () async throws -> (TapResult, [UInt8]) in
            let channel = try await access.connect(reader: reader.name, share: .shared)
            let result = await identifier.identify(channel: channel)
            await channel.disconnect()
            return (result, channel.atr)
        }
        switch outcome {
        case .timedOut(let limit):
            return .fail(check, "the read did not finish within \(limit.doctorText): the reader or pcscd is stuck",
                         fix: "replug the reader, then systemctl restart pcscd.socket pcscd.service parcours-store")
        case .error(let error as PCSCError) where error.code == .sharingViolation:
            return .warn(check, "another program holds this reader exclusively, so the doctor cannot read it",
                         fix: "find it with lsof /run/pcscd/pcscd.comm; parcours itself always shares its readers")
        case .error(let error as PCSCError) where error.meansCardGone:
            return .ok(check, "the card left before it could be read")
        case .error(let error):
            return .fail(check, "cannot talk to the card: \(error)",
                         fix: "replug the reader; if it persists, try another reader on this port and check journalctl -u pcscd")
        case .value(let (result, atr)):
            return CardReadDescription.check(check, result: result, atr: atr, hasSecrets: identification.hasSecrets)
        }
    }
}
