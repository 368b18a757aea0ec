even_squares = [number * number for number in range(10) if number % 2 == 0]

print(even_squares)  # [0, 4, 16, 36, 64]
