// libFuzzer harness for SUNURLLayout.extract and SUNURLTemplate, compiled together with the
// CardProtocols sources into one module (see run.sh), hence no `import CardProtocols`.
//
// The first input byte picks a layout; the rest is the URL. Besides "no crash, no hang", it checks
// what extract promises: fixed-size fields of the right size and a MAC input taken from the URL.

private let layouts: [SUNURLLayout] = [
    try? SUNURLLayout.queryParameters(piccData: "picc_data", mac: "cmac"),
    try? SUNURLLayout.queryParameters(piccData: "picc_data", fileData: "enc", mac: "cmac"),
    try? SUNURLLayout.queryParameters(piccData: "e", fileData: "d", mac: "m"),
    try? SUNURLLayout(
        picc: .plain(uid: .parameter("uid"), counter: .parameter("ctr")),
        mac: .parameter("cmac"), macInputStart: .component(.uid)),
    try? SUNURLLayout(
        picc: .encrypted(.offset(21)), fileData: .init(location: .offset(56), hexLength: 32),
        mac: .offset(88), macInputStart: .component(.fileData)),
    try? SUNURLLayout(picc: .encrypted(.offset(0)), mac: .offset(20), macInputStart: .offset(3)),
].compactMap { $0 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let selector = Int(input[0])
    let text = String(decoding: input.dropFirst(), as: UTF8.self)

    if selector == 0xFF {
        // The template parser gets the text as a template.
        if let template = try? SUNURLTemplate(text, macInputStart: .component(.mac), fileDataLength: 16) {
            precondition(template.layout.macInputStart == .component(.mac), "template lost its MAC input start")
        }
        return 0
    }

    let layout = layouts[selector % layouts.count]
    guard let parts = try? layout.extract(from: text) else { return 0 }
    let urlLength = text.utf8.count
    precondition(parts.mac.count == 8, "MAC of \(parts.mac.count) bytes")
    precondition(parts.macInput.count <= urlLength, "MAC input longer than the URL")
    switch parts.picc {
    case .encrypted(let picc):
        precondition(picc.count == 16, "PICC data of \(picc.count) bytes")
    case .plain(let uid, let counter):
        precondition(uid.count == 7 && counter <= 0xFF_FFFF, "plain mirror out of range")
    }
    if let fileData = parts.encryptedFileData {
        precondition(!fileData.isEmpty && fileData.count % 16 == 0, "file data of \(fileData.count) bytes")
    }
    return 0
}
