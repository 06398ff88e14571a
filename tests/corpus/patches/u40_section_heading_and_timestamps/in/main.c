#include <stdio.h>
#include <stdlib.h>

static int
add(int a, int b)
{
	return a + b;
}

static int
mul(int a, int b)
{
	return a * b;
}

int
main(void)
{
	printf("%d\n", add(2, 3));
	printf("%d\n", mul(2, 3));
	return 0;
}
