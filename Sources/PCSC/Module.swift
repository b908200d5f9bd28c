// Placeholder until the PCSC layer lands; removed by its first real file.
