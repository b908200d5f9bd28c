// Placeholder until the StoreCore layer lands; removed by its first real file.
