// libFuzzer harness for BER-TLV, data object lists and the EMV parsers built on them, compiled
// together with the CardProtocols sources into one module (see run.sh).
//
// Checks: every parsed TLV re-serializes into bytes that parse back equal, with the same children; a
// parsed DOL builds exactly totalLength bytes and round-trips; the EMV parsers never crash.

private let terminal = try? EMVTerminalData(
    countryCode: 250, currencyCode: 978, year: 2026, month: 11, day: 22, unpredictableNumber: [1, 2, 3, 4])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []

    if let objects = try? TLV.parseAll(input, maximumDepth: 8) {
        for object in objects {
            let bytes = object.serialized()
            guard let again = try? TLV(parsing: bytes, maximumDepth: 8) else {
                preconditionFailure("TLV \(object.tag) does not parse back from its own encoding")
            }
            precondition(again == object && again.children == object.children, "TLV \(object.tag) changed in a round trip")
            _ = object.first(tag: 0x9F38)
            _ = object.description
        }
    }

    if let dol = try? DataObjectList(parsing: input) {
        let built = dol.build(values: terminal?.values ?? [:])
        precondition(built.count == dol.totalLength, "DOL built \(built.count) bytes for \(dol.totalLength)")
        precondition((try? DataObjectList(parsing: dol.serialized())) == dol, "DOL changed in a round trip")
        if let terminal {
            let command = try? CommandAPDU.getProcessingOptions(pdolData: terminal.processingOptionsData(for: dol))
            if let command { precondition((try? CommandAPDU(parsing: command.serialized())) == command, "GPO command round trip") }
        }
    }

    _ = try? EMVApplicationCandidate.candidates(fromPPSE: input)
    if let fci = try? EMVApplicationFCI(parsing: input), let pdol = fci.processingOptionsDOL {
        _ = pdol.build(values: [:])
    }
    if let gpo = try? GPOResponse(parsing: input) {
        precondition(gpo.applicationInterchangeProfile.count == 2, "AIP is not 2 bytes")
        _ = gpo.applicationFileLocator.readRecordCommands
    }
    if let afl = try? ApplicationFileLocator(parsing: input) {
        // The low 3 bits of each SFI byte are RFU and not kept, so compare parsed values.
        precondition((try? ApplicationFileLocator(parsing: afl.serialized())) == afl, "AFL round trip")
        precondition(afl.serialized().count == input.count, "AFL changed length")
    }
    return 0
}
