/* Converts Go's DWARF type DIEs (base/pointer/struct/array/typedef + DW_AT_go_kind) into gotypes. */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "goelf/dwarf_internal.h"

/* Beyond this many pointer hops, types are converted without fields or elements. */
#define FULL_PTR_DEPTH 1
#define MAX_NEST 48

struct memo {
	Dwarf_Off off;
	bool shallow;
	struct gotype *t;
};

struct dwtype_conv {
	struct gotype_pool *pool;
	struct memo *tab;
	size_t cap, n;
};

int dwtype_conv_new(struct gotype_pool *pool, struct dwtype_conv **out)
{
	struct dwtype_conv *cv = calloc(1, sizeof(*cv));

	if (!cv)
		return -ENOMEM;
	cv->pool = pool;
	cv->cap = 256;
	cv->tab = calloc(cv->cap, sizeof(*cv->tab));
	if (!cv->tab) {
		free(cv);
		return -ENOMEM;
	}
	*out = cv;
	return 0;
}

void dwtype_conv_free(struct dwtype_conv *cv)
{
	if (!cv)
		return;
	free(cv->tab);
	free(cv);
}

static size_t memo_slot(const struct dwtype_conv *cv, Dwarf_Off off, bool shallow)
{
	size_t h = (size_t)((off * 2 + shallow) * 0x9E3779B97F4A7C15ull);

	for (size_t i = h & (cv->cap - 1);; i = (i + 1) & (cv->cap - 1))
		if (!cv->tab[i].t || (cv->tab[i].off == off && cv->tab[i].shallow == shallow))
			return i;
}

static int memo_put(struct dwtype_conv *cv, Dwarf_Off off, bool shallow, struct gotype *t)
{
	if ((cv->n + 1) * 2 > cv->cap) {
		struct dwtype_conv grown = *cv;

		grown.cap = cv->cap * 2;
		grown.tab = calloc(grown.cap, sizeof(*grown.tab));
		if (!grown.tab)
			return -ENOMEM;
		for (size_t i = 0; i < cv->cap; i++)
			if (cv->tab[i].t)
				grown.tab[memo_slot(&grown, cv->tab[i].off, cv->tab[i].shallow)] = cv->tab[i];
		free(cv->tab);
		cv->tab = grown.tab;
		cv->cap = grown.cap;
	}
	size_t i = memo_slot(cv, off, shallow);

	if (!cv->tab[i].t)
		cv->n++;
	cv->tab[i] = (struct memo){ off, shallow, t };
	return 0;
}

static bool attr_udata(Dwarf_Die *die, unsigned int name, Dwarf_Word *v)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, name, &a) && dwarf_formudata(&a, v) == 0;
}

static bool attr_ref(Dwarf_Die *die, unsigned int name, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, name, &a) && dwarf_formref_die(&a, out);
}

static uint32_t natural_align(uint32_t size)
{
	return size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
}

static struct gotype *convert(struct dwtype_conv *cv, Dwarf_Die *die, int ptr_depth, int nest);

static struct gotype *convert_ref(struct dwtype_conv *cv, Dwarf_Die *die, unsigned int attr,
				  int ptr_depth, int nest)
{
	Dwarf_Die t;

	return attr_ref(die, attr, &t) ? convert(cv, &t, ptr_depth, nest) : NULL;
}

static int struct_fields(struct dwtype_conv *cv, Dwarf_Die *die, struct gotype *t, int ptr_depth, int nest)
{
	Dwarf_Die child;
	int n = 0, i = 0;
	uint32_t align = 1;

	if (dwarf_child(die, &child) != 0)
		return 0;
	do
		n += dwarf_tag(&child) == DW_TAG_member;
	while (dwarf_siblingof(&child, &child) == 0);
	if (!n)
		return 0;
	t->fields = gotype_pool_alloc(cv->pool, n * sizeof(*t->fields));
	if (!t->fields)
		return -ENOMEM;
	dwarf_child(die, &child);
	do {
		struct gofield *f = &t->fields[i];
		Dwarf_Word off = 0;
		const char *name;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		name = dwarf_diename(&child);
		f->name = gotype_pool_strdup(cv->pool, name ? name : "");
		attr_udata(&child, DW_AT_data_member_location, &off);
		f->offset = (uint32_t)off;
		f->type = convert_ref(cv, &child, DW_AT_type, ptr_depth, nest + 1);
		if (!f->name || !f->type)
			return -ENOMEM;
		if (f->type->align > align)
			align = f->type->align;
		i++;
	} while (dwarf_siblingof(&child, &child) == 0);
	t->nfields = i;
	t->align = align;
	return 0;
}

/* Kind, size and alignment of a DIE before its children are looked at. */
static enum gokind die_kind(Dwarf_Die *die, Dwarf_Word gokind, Dwarf_Word size)
{
	Dwarf_Word enc = 0;

	switch (gokind) {
	case GOKIND_STRING: return GK_STRING;
	case GOKIND_SLICE: return GK_SLICE;
	case GOKIND_MAP: return GK_MAP;
	case GOKIND_CHAN: return GK_CHAN;
	case GOKIND_FUNC: return GK_FUNC;
	case GOKIND_UNSAFEPTR: return GK_UNSAFEPTR;
	case GOKIND_UINTPTR: return GK_UINTPTR;
	default: break;
	}
	switch (dwarf_tag(die)) {
	case DW_TAG_base_type:
		attr_udata(die, DW_AT_encoding, &enc);
		switch (enc) {
		case DW_ATE_boolean: return GK_BOOL;
		case DW_ATE_signed: case DW_ATE_signed_char: return GK_INT;
		case DW_ATE_unsigned: case DW_ATE_unsigned_char: return GK_UINT;
		case DW_ATE_float: return GK_FLOAT;
		case DW_ATE_complex_float: return GK_COMPLEX;
		default: return size == 8 ? GK_UINTPTR : GK_INVALID;
		}
	case DW_TAG_pointer_type:
		return GK_PTR;
	case DW_TAG_structure_type:
		return GK_STRUCT;
	case DW_TAG_array_type:
		return GK_ARRAY;
	case DW_TAG_subroutine_type:
		return GK_FUNC;
	default:
		return GK_INVALID;
	}
}

static int fill(struct dwtype_conv *cv, Dwarf_Die *die, struct gotype *t, Dwarf_Word gokind,
		int ptr_depth, int nest)
{
	bool shallow = ptr_depth > FULL_PTR_DEPTH;
	Dwarf_Die sub;

	switch (t->kind) {
	case GK_PTR:
		t->size = t->align = 8;
		if (!shallow) {
			Dwarf_Die elem;

			/* A nil DW_AT_type is unsafe.Pointer spelled as a pointer. */
			if (!attr_ref(die, DW_AT_type, &elem)) {
				t->kind = GK_UNSAFEPTR;
				return 0;
			}
			t->elem = convert(cv, &elem, ptr_depth + 1, nest + 1);
		}
		return 0;
	case GK_MAP: case GK_CHAN: case GK_FUNC: case GK_UNSAFEPTR:
		t->size = t->align = 8;
		if (!shallow && (t->kind == GK_MAP || t->kind == GK_CHAN))
			t->elem = convert_ref(cv, die, DW_AT_go_elem, ptr_depth + 1, nest + 1);
		return 0;
	case GK_STRING:
		t->size = 16;
		t->align = 8;
		return 0;
	case GK_SLICE:
		t->size = 24;
		t->align = 8;
		if (!shallow)
			t->elem = convert_ref(cv, die, DW_AT_go_elem, ptr_depth + 1, nest + 1);
		return 0;
	case GK_ARRAY: {
		Dwarf_Word count = 0;

		if (dwarf_child(die, &sub) == 0 && dwarf_tag(&sub) == DW_TAG_subrange_type) {
			Dwarf_Word ub;

			if (!attr_udata(&sub, DW_AT_count, &count) && attr_udata(&sub, DW_AT_upper_bound, &ub))
				count = ub + 1;
		}
		t->len = count;
		/* Array elements decide ABI placement, so they are converted even when shallow. */
		t->elem = convert_ref(cv, die, DW_AT_type, ptr_depth, nest + 1);
		if (!t->elem)
			return -ENOMEM;
		t->align = t->elem->align ? t->elem->align : 1;
		if (!t->size)
			t->size = (uint32_t)(count * t->elem->size);
		return 0;
	}
	case GK_STRUCT:
		(void)gokind;
		if (shallow) {
			t->align = natural_align(t->size);
			return 0;
		}
		return struct_fields(cv, die, t, ptr_depth, nest);
	case GK_COMPLEX:
		t->align = t->size / 2;
		return 0;
	default:
		t->align = natural_align(t->size);
		return 0;
	}
}

static struct gotype *convert(struct dwtype_conv *cv, Dwarf_Die *die, int ptr_depth, int nest)
{
	bool shallow = ptr_depth > FULL_PTR_DEPTH;
	Dwarf_Off off = dwarf_dieoffset(die);
	const char *name = dwarf_diename(die);
	Dwarf_Word gokind = 0, size = 0;
	struct gotype *t;
	size_t slot;

	if (nest > MAX_NEST)
		shallow = true, ptr_depth = FULL_PTR_DEPTH + 1;
	slot = memo_slot(cv, off, shallow);
	if (cv->tab[slot].t)
		return cv->tab[slot].t;
	attr_udata(die, DW_AT_go_kind, &gokind);
	attr_udata(die, DW_AT_byte_size, &size);
	t = gotype_new(cv->pool, GK_INVALID, name ? name : "", (uint32_t)size, 1);
	if (!t || memo_put(cv, off, shallow, t))
		return NULL;

	if (dwarf_tag(die) == DW_TAG_typedef) {
		Dwarf_Die target;
		struct gotype *tt;
		char *tname = t->name;

		if (!attr_ref(die, DW_AT_type, &target))
			return t;
		if (gokind == GOKIND_INTERFACE) {
			/* The underlying struct says which of the two interface layouts it is. */
			const char *sname = dwarf_diename(&target);

			t->kind = sname && !strcmp(sname, "runtime.eface") ? GK_EFACE : GK_IFACE;
			t->size = 16;
			t->align = 8;
			return t;
		}
		if (gokind == GOKIND_MAP || gokind == GOKIND_CHAN || gokind == GOKIND_FUNC) {
			t->kind = die_kind(die, gokind, 8);
			return fill(cv, die, t, gokind, ptr_depth, nest) ? NULL : t;
		}
		/* A named type: the target's layout under the typedef's name. Generic shape
		 * parameters (".param0") keep the shape's name instead. */
		tt = convert(cv, &target, ptr_depth, nest + 1);
		if (!tt)
			return NULL;
		*t = *tt;
		if (tname[0] && tname[0] != '.')
			t->name = tname;
		return t;
	}
	t->kind = die_kind(die, gokind, size);
	if (t->kind == GK_INVALID)
		return t;
	return fill(cv, die, t, gokind, ptr_depth, nest) ? NULL : t;
}

struct gotype *dwtype_convert(struct dwtype_conv *cv, Dwarf_Die *die)
{
	return convert(cv, die, 0, 0);
}
