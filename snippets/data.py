print('data')
