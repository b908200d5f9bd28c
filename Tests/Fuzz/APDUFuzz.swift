// libFuzzer harness for command/response APDUs and ATRs, compiled together with the CardProtocols
// sources into one module (see run.sh).
//
// Checks: a parsed command re-serializes into bytes that parse back equal; a response round-trips
// byte for byte; an ATR that parses keeps its bytes and classifies without crashing.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []

    if let command = try? CommandAPDU(parsing: input) {
        let bytes = command.serialized()
        precondition((try? CommandAPDU(parsing: bytes)) == command, "command APDU round trip")
        precondition(bytes.count <= input.count, "canonical command is longer than the input")
        _ = command.description
    }
    if let response = try? ResponseAPDU(parsing: input) {
        precondition(response.serialized() == input, "response APDU round trip")
        _ = response.status.description
    }
    if let atr = try? ATR(parsing: input) {
        precondition(atr.bytes == input, "ATR lost bytes")
        _ = atr.cardKind.description
    }
    return 0
}
