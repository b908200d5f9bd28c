import CardProtocols
import CardSecurity
import Synchronization

/// An NXP NTAG 424 DNA configured for Secure Unique NFC (SUN): an NFC Forum Type 4 tag whose NDEF
/// file holds a URL with the tag's SDM mirrors (encrypted PICCData or plain UID and counter,
/// optional encrypted file data, and the MAC), computed when the file is read.
///
/// SDMReadCtr rises once per activation, on the first READ BINARY of the NDEF file after the card
/// is powered on or reset, so every tap shows a new counter; the URL is computed then and kept for
/// the rest of the activation, so a reader that reads the file in pieces sees one consistent URL.
///
/// Commands (ISO 7816-4, as the tag's ISO command set answers them):
///
/// | command | answer |
/// |---|---|
/// | SELECT by name `D2760000850101` | `90 00`; another name → `6A 82` |
/// | SELECT file `E103` (CC), `E104` (NDEF), `E105` (proprietary), P2 `00`/`0C` | `90 00`; before the application is selected, or another id → `6A 82` |
/// | READ BINARY `00 B0 offset Le` | the bytes, `62 82` when the file ends first; offset past the end → `6B 00`; no file selected → `69 86` |
/// | UPDATE BINARY | `69 82`: the SUN file's write access needs a key this simulator does not grant |
///
/// The reader answers `FF CA 00 00 00` (UID) and `FF CA 01 00 00` (ATS) itself.
public final class NTAG424Tag: VirtualCard {
    /// ATS of the NTAG 424 DNA: FSCI 7, historical byte `80`.
    public static let identityHistoricalBytes: [UInt8] = [0x80]
    /// The NDEF file's size on the chip, NLEN included.
    public static let ndefFileSize = 256
    /// SDMReadCtr is 3 bytes; at its maximum the tag stops counting.
    public static let maximumReadCounter: UInt32 = 0xFF_FFFF
    static let capabilityContainerFileSize = 32
    static let proprietaryFileSize = 128

    public let uid: TagUID
    public let identity: ContactlessIdentity
    public let generator: SUNMessageGenerator
    /// The plaintext behind `{file}`, exactly the template's file data length; `nil` without `{file}`.
    public let fileData: [UInt8]?

    enum SelectedFile: Sendable {
        case capabilityContainer
        case ndef
        case proprietary
    }

    struct State: Sendable {
        var isApplicationSelected = false
        var selectedFile: SelectedFile?
        var readCounter: UInt32
        /// The NDEF file as served in this activation, once it has been read.
        var ndefFileThisActivation: [UInt8]?
        var lastURL: String?
    }

    let state: Mutex<State>

    /// - Parameters:
    ///   - keys: the SDM meta read and file read keys (fixed or diversified per UID).
    ///   - template: the URL with its `{picc}` or `{uid}`/`{ctr}`, optional `{file}`, and `{mac}`.
    ///   - readCounter: SDMReadCtr before the first tap; the first tap serves `readCounter + 1`.
    ///   - fileData: the plaintext for `{file}`.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidArgument`` when the keys, the template
    ///   and the file data do not go together, ``CardSimulatorError/Code-swift.struct/ndefTooLarge``
    ///   when the URL does not fit the 256-byte NDEF file.
    public init(
        uid: TagUID = .sample, keys: SUNKeys, template: SUNURLTemplate, readCounter: UInt32 = 0, fileData: [UInt8]? = nil
    ) throws(CardSimulatorError) {
        guard readCounter < Self.maximumReadCounter else {
            throw CardSimulatorError(
                .invalidArgument, "SDMReadCtr \(readCounter) leaves no room to count a tap (maximum \(Self.maximumReadCounter))")
        }
        do {
            generator = try SUNMessageGenerator(template: template, keys: keys)
        } catch {
            throw CardSimulatorError(.invalidArgument, "NTAG 424 SUN configuration: \(error)")
        }
        self.uid = uid
        identity = try ContactlessIdentity(uid: uid.bytes, historicalBytes: Self.identityHistoricalBytes)
        self.fileData = fileData
        state = Mutex(State(readCounter: readCounter))
        // Render once now so a bad configuration fails here, not in the middle of a tap.
        let sample = try Self.ndefFile(generator: generator, uid: uid, counter: readCounter + 1, fileData: fileData)
        guard sample.count <= Self.ndefFileSize else {
            throw CardSimulatorError(
                .ndefTooLarge,
                "the SUN URL needs a \(sample.count)-byte NDEF file; an NTAG 424 DNA has \(Self.ndefFileSize)")
        }
    }

    public var atr: [UInt8] { identity.atr }

    /// A new activation: nothing is selected, and the next read of the NDEF file counts a tap.
    public func powerOn() {
        state.withLock { state in
            state.isApplicationSelected = false
            state.selectedFile = nil
            state.ndefFileThisActivation = nil
        }
    }

    public func powerOff() { powerOn() }

    /// SDMReadCtr now: the counter of the last URL served.
    public var readCounter: UInt32 { state.withLock { $0.readCounter } }

    /// The URL served in the current or the last activation.
    public var lastURL: String? { state.withLock { $0.lastURL } }

    /// The capability container file: T4T 2.0, MLe 256, MLc 255, NDEF file `E104` of 256 bytes,
    /// readable, write access `00`, padded with zeros to the file's 32 bytes.
    public static let capabilityContainerFile: [UInt8] = {
        let control = Type4CapabilityContainer.NDEFFileControl(fileID: 0xE104, maximumSize: ndefFileSize)
        // The values are in range by construction; a failure would be a programming error caught by the tests.
        let container = try? Type4CapabilityContainer(maximumResponseLength: 256, maximumCommandLength: 255, ndefFile: control)
        let bytes = container?.serialized() ?? []
        return bytes + [UInt8](repeating: 0, count: max(0, capabilityContainerFileSize - bytes.count))
    }()

    /// NLEN and the NDEF message holding the SUN URL as one URI record, as the file reads.
    static func ndefFile(
        generator: SUNMessageGenerator, uid: TagUID, counter: UInt32, fileData: [UInt8]?
    ) throws(CardSimulatorError) -> [UInt8] {
        let url: String
        do {
            url = try generator.makeURL(uid: uid.bytes, counter: counter, fileData: fileData)
        } catch {
            throw CardSimulatorError(.invalidArgument, "NTAG 424 SUN URL: \(error)")
        }
        let message: [UInt8]
        do {
            message = try NDEFMessage(records: [.uri(url)]).serialized()
        } catch {
            throw CardSimulatorError(.invalidArgument, "NTAG 424 NDEF message: \(error.message)")
        }
        return [UInt8(truncatingIfNeeded: message.count >> 8), UInt8(truncatingIfNeeded: message.count)] + message
    }
}
