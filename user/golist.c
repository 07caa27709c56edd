/* golist: lists Go processes (placeholder main until the golist module lands). */
#include <stdio.h>
int main(void)
{
	return 0;
}
