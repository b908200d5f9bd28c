/// A vpcd virtual reader, reached by the card over TCP at 127.0.0.1:`port`.
///
/// The rig (`hardware/rig/pcscd-rig`) configures reader index `i` on port 35963 + i: indices 0–3
/// normally, 0–5 with `--extra`.
public struct VirtualReader: Hashable, Sendable, CustomStringConvertible {
    public static let firstPort: UInt16 = 35963
    /// The indices the rig can configure.
    public static let rigIndices = 0...5

    public let port: UInt16

    /// Any port, e.g. a test's own listener standing in for vpcd.
    public init(port: UInt16) {
        self.port = port
    }

    /// The rig's reader `index`.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/readerIndexOutOfRange`` outside ``rigIndices``.
    public static func index(_ index: Int) throws(CardSimulatorError) -> VirtualReader {
        guard rigIndices.contains(index) else {
            throw CardSimulatorError(
                .readerIndexOutOfRange,
                "reader index \(index) is out of range: the rig has readers 0–3 (0–5 with 'pcscd-rig start --extra')")
        }
        return VirtualReader(port: firstPort + UInt16(index))
    }

    /// The rig index, when the port is one of the rig's.
    public var index: Int? {
        let offset = Int(port) - Int(Self.firstPort)
        return Self.rigIndices.contains(offset) ? offset : nil
    }

    /// The name pcscd gives the reader in the rig ("Parcours Virtual A 00 00" for index 0).
    public var pcscName: String? {
        guard let index else { return nil }
        let letter = ["A", "B", "C"][index / 2]
        return "Parcours Virtual \(letter) 00 0\(index % 2)"
    }

    public var description: String {
        if let index, let pcscName { return "reader \(index) (\(pcscName), 127.0.0.1:\(port))" }
        return "127.0.0.1:\(port)"
    }
}
