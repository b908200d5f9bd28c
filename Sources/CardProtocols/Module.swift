// Placeholder until the CardProtocols layer lands; removed by its first real file.
