// Placeholder until the ReaderService layer lands; removed by its first real file.
