import ArgumentParser

/// Reader and card verbs (`parcours readers`, `parcours card …`, `parcours sun …`).
let readerSubcommands: [any ParsableCommand.Type] = [ServeCommand.self, ReadersCommand.self, CardCommand.self, SUNCommand.self]
